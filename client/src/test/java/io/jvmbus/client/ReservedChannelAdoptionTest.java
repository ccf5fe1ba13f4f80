package io.jvmbus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmbus.host.control.ConfigFile;
import io.jvmbus.host.session.MappedFileRam;
import io.jvmbus.host.session.SessionEnvironment;
import io.jvmbus.host.transport.HostServer;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage.OfferChannel;
import io.jvmbus.server.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed scenario's hand-over without servicing: firmware opens a pipe channel as reserved and unloads; bytes the
 * debugger sends meanwhile wait in the ring; the OS connects (it is not offered the channel), takes the channel over
 * from the firmware's rings ({@link GuestClient#adoptReserved}), reads those bytes, answers, and closes it, after
 * which the host offers it to the OS as a normal channel.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReservedChannelAdoptionTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Guid DEBUG = Guid.ofData1(0xdb6);
    private static final Guid INSTANCE = Guid.ofData1(0x1);

    @TempDir
    Path dir;

    private HostServer server;
    private GuestRam ram;
    private SocketGuestTransport transport;
    private SocketChannel debugger;

    @AfterEach
    void stop() throws IOException {
        if (debugger != null) {
            debugger.close();
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

    /** One pipe packet, built by hand: {u32 type = 1, u32 size}, data. */
    private static byte[] pipePacket(final byte[] data) {
        return ByteBuffer.allocate(8 + data.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(1)
                .putInt(data.length)
                .put(data)
                .array();
    }

    /** Polls the reserved channel for pipe packets until {@code count} stream bytes came. */
    private static byte[] pollStream(final GuestChannel ch, final int count) {
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (got.size() < count) {
            assertThat(System.nanoTime() - deadline).as("bytes in time").isNegative();
            final GuestChannel.Packet p = ch.tryReceive();
            if (p == null) {
                Thread.yield();
                continue;
            }
            final ByteBuffer b = ByteBuffer.wrap(p.payload()).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(b.getInt()).as("pipe type").isEqualTo(1);
            final int size = b.getInt();
            got.write(p.payload(), 8, size);
        }
        return got.toByteArray();
    }

    private static byte[] readExactly(final SocketChannel s, final int n) throws IOException {
        final ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            assertThat(s.read(b)).as("endpoint still open").isNotNegative();
        }
        return b.array();
    }

    @Test
    void shouldLetTheOsTakeOverTheFirmwaresReservedChannelWithTheBytesWaitingInItsRing() throws Exception {
        final SessionEnvironment env = new SessionEnvironment(
                ConfigFile.EMPTY, MappedFileRam::map, ServerConfig.builder().build());
        server = HostServer.start(new HostServer.Options(dir.resolve("serve.sock"), null, env, 4));
        ram = GuestRam.create(dir.resolve("guest.ram"), 256, false);
        transport = SocketGuestTransport.connect(server.socketPath(), ram, 2, "adopt-test", TIMEOUT);
        final Path endpoint = dir.resolve("dbg.sock");
        assertThat(transport.control("{\"op\":\"offer\",\"name\":\"dbg\",\"device\":\"pipe\",\"interface\":\"" + DEBUG
                        + "\",\"instance\":\"" + INSTANCE + "\",\"endpoint\":\"unix:" + endpoint + "\"}"))
                .contains("\"ok\":true");

        final GuestClient firmware = new GuestClient(transport, ram, GuestOptions.uefi());
        firmware.connect(TIMEOUT);
        final GuestChannel fwChannel = firmware.openReserved(
                firmware.requestOffers(TIMEOUT).getFirst(), OpenOptions.rings(2, 2), 0, 2, TIMEOUT);
        firmware.unload(TIMEOUT);
        firmware.close();

        debugger = SocketChannel.open(StandardProtocolFamily.UNIX);
        debugger.connect(UnixDomainSocketAddress.of(endpoint));
        final byte[] held = new byte[3000];
        new Random(11).nextBytes(held);
        final ByteBuffer w = ByteBuffer.wrap(held);
        while (w.hasRemaining()) {
            debugger.write(w);
        }

        final GuestClient os = new GuestClient(transport, ram, GuestOptions.copper(Guid.ofData1(0x05)));
        os.connect(TIMEOUT);
        assertThat(os.connection().version()).isEqualTo(ProtocolVersion.COPPER);
        assertThat(os.requestOffers(TIMEOUT))
                .as("the reserved channel is not offered to the OS")
                .isEmpty();
        final GuestChannel ch = os.adoptReserved(fwChannel);
        assertThat(ch.isInherited()).isTrue();
        assertThat(ch.channelId()).isEqualTo(fwChannel.channelId());
        assertThat(pollStream(ch, held.length)).isEqualTo(held);

        final byte[] reply = "os: debugger attached".getBytes(StandardCharsets.US_ASCII);
        assertThat(ch.trySend(1, false, pipePacket(reply))).isEqualTo(io.jvmbus.memory.ring.WriteStatus.WRITTEN);
        assertThat(readExactly(debugger, reply.length)).isEqualTo(reply);

        os.closeReserved(ch, 0, 2, TIMEOUT);
        assertThat(ch.isClosed()).isTrue();
        assertThatThrownBy(() -> os.adoptReserved(ch))
                .as("a closed channel cannot be taken over")
                .isInstanceOf(GuestException.class)
                .hasMessageContaining("expected: an open reserved channel");
        final OfferChannel again = os.awaitOffer(DEBUG, INSTANCE, TIMEOUT);
        assertThat(again.interfaceId()).isEqualTo(DEBUG);
        assertThat(os.protocolErrors()).isEmpty();
        assertThat(firmware.protocolErrors()).isEmpty();
        os.close();
    }
}
