package io.jvmbus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jvmbus.host.control.ConfigFile;
import io.jvmbus.host.session.MappedFileRam;
import io.jvmbus.host.session.SessionEnvironment;
import io.jvmbus.host.transport.HostServer;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.message.ChannelMessage.OfferChannel;
import io.jvmbus.server.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's {@code pipe} device against the client library and a real socket: a "debugger" connects to the
 * endpoint the offer names, the guest opens the channel (reserved, as firmware would), and bytes flow both ways in
 * Hyper-V's pipe format ({@code u32 type = 1, u32 data_size}, data), built here by hand.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PipeTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private HostServer server;
    private GuestRam ram;
    private SocketGuestTransport transport;
    private GuestClient client;
    private SocketChannel debugger;

    private void start(final GuestOptions options) throws IOException {
        final SessionEnvironment env = new SessionEnvironment(
                ConfigFile.EMPTY, MappedFileRam::map, ServerConfig.builder().build());
        server = HostServer.start(new HostServer.Options(dir.resolve("serve.sock"), null, env, 4));
        ram = GuestRam.create(dir.resolve("guest.ram"), 4096, false);
        transport = SocketGuestTransport.connect(server.socketPath(), ram, 2, "pipe-test", TIMEOUT);
        client = new GuestClient(transport, ram, options);
    }

    @AfterEach
    void stop() throws IOException {
        if (debugger != null) {
            debugger.close();
        }
        if (client != null) {
            client.close();
        }
        if (transport != null) {
            transport.close();
        }
        if (server != null) {
            server.close();
        }
        if (ram != null) {
            ram.close();
        }
    }

    private String offerPipe(final String name, final String endpoint) {
        return transport.control("{\"op\":\"offer\",\"name\":\"" + name + "\",\"device\":\"pipe\",\"interface\":\""
                + Guid.ofData1(0xdb6) + "\",\"instance\":\"" + Guid.ofData1(0x1) + "\",\"endpoint\":\"" + endpoint
                + "\"}");
    }

    /** One pipe packet payload, built by hand: {u32 type=1, u32 size} then the bytes. */
    private static byte[] pipePacket(final byte[] data, final int from, final int n) {
        final ByteBuffer b = ByteBuffer.allocate(8 + n).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(1).putInt(n).put(data, from, n);
        return b.array();
    }

    /** Reads pipe packets from the channel until {@code count} stream bytes came. */
    private static byte[] receiveStream(final GuestChannel ch, final int count) {
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (got.size() < count) {
            final GuestChannel.Packet p = ch.isReserved() ? poll(ch) : ch.receive(TIMEOUT);
            final ByteBuffer b = ByteBuffer.wrap(p.payload()).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(p.type()).as("packet type").isEqualTo(6);
            assertThat(b.getInt()).as("pipe header type").isEqualTo(1);
            final int size = b.getInt();
            assertThat(size).as("data_size").isBetween(1, p.payload().length - 8);
            got.write(p.payload(), 8, size);
        }
        return got.toByteArray();
    }

    /** A reserved channel gets no host interrupts (firmware polls): poll, with a deadline. */
    private static GuestChannel.Packet poll(final GuestChannel ch) {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            final GuestChannel.Packet p = ch.tryReceive();
            if (p != null) {
                return p;
            }
            Thread.yield();
        }
        throw new AssertionError("no packet within " + TIMEOUT);
    }

    private static void pollSend(final GuestChannel ch, final long transactionId, final byte[] packet) {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            final io.jvmbus.memory.ring.WriteStatus w = ch.trySend(transactionId, false, packet);
            if (w == io.jvmbus.memory.ring.WriteStatus.WRITTEN) {
                return;
            }
            assertThat(w).isEqualTo(io.jvmbus.memory.ring.WriteStatus.FULL);
            Thread.yield();
        }
        throw new AssertionError("no room for a packet within " + TIMEOUT);
    }

    private static void sendStream(final GuestChannel ch, final byte[] data, final int chunk) {
        for (int off = 0; off < data.length; off += chunk) {
            final int n = Math.min(chunk, data.length - off);
            final byte[] packet = pipePacket(data, off, n);
            if (ch.isReserved()) {
                pollSend(ch, off, packet);
            } else {
                ch.send(off, false, packet, TIMEOUT);
            }
        }
    }

    private static CompletableFuture<byte[]> readAsync(final SocketChannel s, final int count) {
        final CompletableFuture<byte[]> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                final ByteBuffer b = ByteBuffer.allocate(count);
                while (b.hasRemaining()) {
                    if (s.read(b) < 0) {
                        throw new IOException("the pipe endpoint closed after " + b.position() + " bytes");
                    }
                }
                f.complete(b.array());
            } catch (final IOException | RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    private static CompletableFuture<Void> writeAsync(final SocketChannel s, final byte[] data) {
        final CompletableFuture<Void> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                final ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) {
                    s.write(b);
                }
                f.complete(null);
            } catch (final IOException | RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    private static byte[] random(final Random r, final int n) {
        final byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static SocketChannel connectUnix(final Path p) throws IOException {
        final SocketChannel s = SocketChannel.open(StandardProtocolFamily.UNIX);
        s.connect(UnixDomainSocketAddress.of(p));
        return s;
    }

    @Test
    void shouldCarryBytesBothWaysBetweenAUnixSocketDebuggerAndAReservedChannelThroughFullRings() throws Exception {
        start(GuestOptions.uefi());
        final Path endpoint = dir.resolve("dbg.sock");
        assertThat(offerPipe("dbg", "unix:" + endpoint)).contains("\"ok\":true");
        client.connect(TIMEOUT);
        final OfferChannel offer = client.requestOffers(TIMEOUT).getFirst();
        final GuestChannel ch = client.openReserved(offer, OpenOptions.rings(2, 2), 0, 2, TIMEOUT);
        debugger = connectUnix(endpoint);
        final long seed = System.nanoTime();
        final Random r = new Random(seed);

        // 200 KiB through a 4 KiB ring: the device waits for room many times, and holds the debugger back
        final byte[] down = random(r, 200 << 10);
        final CompletableFuture<Void> written = writeAsync(debugger, down);
        final byte[] atGuest = receiveStream(ch, down.length);
        written.get(10, TimeUnit.SECONDS);
        // and 150 KiB the other way, in odd-sized packets
        final byte[] up = random(r, 150 << 10);
        final CompletableFuture<byte[]> atDebugger = readAsync(debugger, up.length);
        sendStream(ch, up, 1 + r.nextInt(1500));

        assertThat(atGuest)
                .as("seed %d: guest got the debugger's bytes in order", seed)
                .isEqualTo(down);
        assertThat(atDebugger.get(10, TimeUnit.SECONDS))
                .as("seed %d: debugger got the guest's bytes in order", seed)
                .isEqualTo(up);
        final JsonNode pipe = inspectPipe();
        assertThat(pipe.get("bytes_to_guest").asLong()).isEqualTo(down.length);
        assertThat(pipe.get("bytes_from_guest").asLong()).isEqualTo(up.length);
        assertThat(pipe.get("full_waits").asLong()).isPositive();
        client.closeReserved(ch, 0, 2, TIMEOUT);
        assertThat(client.protocolErrors()).isEmpty();
    }

    @Test
    void shouldKeepTheListenerTheDebuggerAndTheBytesAcrossGuestUnloadAndReconnect() throws Exception {
        start(GuestOptions.uefi());
        final Path endpoint = dir.resolve("dbg.sock");
        assertThat(offerPipe("dbg", "unix:" + endpoint)).contains("\"ok\":true");
        client.connect(TIMEOUT);
        GuestChannel ch =
                client.openReserved(client.requestOffers(TIMEOUT).getFirst(), OpenOptions.rings(2, 2), 0, 2, TIMEOUT);
        debugger = connectUnix(endpoint);
        final byte[] hello = "firmware: break-in ready".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        final CompletableFuture<byte[]> first = readAsync(debugger, hello.length);
        sendStream(ch, hello, hello.length);
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(hello);
        client.closeReserved(ch, 0, 2, TIMEOUT);
        client.unload(TIMEOUT);

        // while no guest is connected, the debugger keeps talking: nothing is lost
        final byte[] meanwhile = random(new Random(7), 20_000);
        writeAsync(debugger, meanwhile).get(10, TimeUnit.SECONDS);
        client.close();
        client = new GuestClient(transport, ram, GuestOptions.linux());
        client.connect(TIMEOUT);
        ch = client.open(client.requestOffers(TIMEOUT).getFirst(), OpenOptions.rings(2, 2), TIMEOUT);

        assertThat(receiveStream(ch, meanwhile.length)).isEqualTo(meanwhile);
        final byte[] os = "os: continuing".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        final CompletableFuture<byte[]> second = readAsync(debugger, os.length);
        sendStream(ch, os, 5);
        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo(os);
        assertThat(inspectPipe().get("connections").asLong()).isEqualTo(1);
    }

    @Test
    void shouldListenOnALoopbackTcpPortAndStopListeningWhenRevoked() throws Exception {
        start(GuestOptions.linux());
        assertThat(offerPipe("dbg", "tcp:127.0.0.1:0")).contains("\"ok\":true");
        final String bound = inspectPipe().get("endpoint").asText();
        assertThat(bound).startsWith("tcp:127.0.0.1:");
        final int port = Integer.parseInt(bound.substring(bound.lastIndexOf(':') + 1));
        final SocketAddress address = new InetSocketAddress("127.0.0.1", port);
        client.connect(TIMEOUT);
        final GuestChannel ch = client.open(client.requestOffers(TIMEOUT).getFirst(), OpenOptions.rings(2, 2), TIMEOUT);
        debugger = SocketChannel.open(address);
        final byte[] data = random(new Random(3), 9000);
        writeAsync(debugger, data).get(10, TimeUnit.SECONDS);
        assertThat(receiveStream(ch, data.length)).isEqualTo(data);

        assertThat(transport.control("{\"op\":\"revoke\",\"name\":\"dbg\"}")).contains("\"ok\":true");

        assertThat(debugger.read(ByteBuffer.allocate(1)))
                .as("the debugger's connection ends")
                .isEqualTo(-1);
        assertThatThrownBy(() -> SocketChannel.open(address).close()).isInstanceOf(IOException.class);
    }

    @Test
    void shouldRefuseBadOrBusyEndpoints() throws IOException {
        start(GuestOptions.linux());
        final Path endpoint = dir.resolve("dbg.sock");

        assertThat(transport.control("{\"op\":\"offer\",\"name\":\"p\",\"device\":\"pipe\",\"interface\":\""
                        + Guid.ofData1(1) + "\",\"instance\":\"" + Guid.ofData1(2) + "\"}"))
                .contains("\"ok\":false")
                .contains("endpoint missing");
        assertThat(transport.control(
                        "{\"op\":\"offer\",\"name\":\"e\",\"device\":\"echo\",\"interface\":\"" + Guid.ofData1(1)
                                + "\",\"instance\":\"" + Guid.ofData1(2) + "\",\"endpoint\":\"tcp:127.0.0.1:0\"}"))
                .contains("\"ok\":false")
                .contains("only for a pipe device");
        assertThat(offerPipe("p", "tcp:10.1.2.3:4000")).contains("\"ok\":false").contains("not a loopback address");
        assertThat(offerPipe("p", "udp:x")).contains("\"ok\":false").contains("expected: unix:PATH or tcp:HOST:PORT");
        assertThat(offerPipe("p", "unix:relative.sock"))
                .contains("\"ok\":false")
                .contains("absolute");
        assertThat(offerPipe("p", "unix:" + endpoint)).contains("\"ok\":true");
        assertThat(offerPipe("q", "unix:" + endpoint)).contains("\"ok\":false").contains("cannot be bound");
        Files.writeString(dir.resolve("plain"), "x");
        assertThat(offerPipe("q", "unix:" + dir.resolve("plain"))).contains("\"ok\":false");
        assertThat(Files.readString(dir.resolve("plain")))
                .as("a non-socket is never touched")
                .isEqualTo("x");
        assertThat(Arrays.asList(Files.list(dir).toArray())).contains(endpoint);
    }

    private JsonNode inspectPipe() throws IOException {
        final JsonNode state = new ObjectMapper().readTree(transport.control("{\"op\":\"inspect\"}"));
        for (final JsonNode c : state.path("state").path("channels")) {
            if (c.has("pipe")) {
                return c.get("pipe");
            }
        }
        throw new AssertionError("no pipe channel in " + state);
    }
}
