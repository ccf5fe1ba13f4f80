package io.jvmbus.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport's frames byte for byte, against a peer that plays the server with frames built here from
 * host-transport.md (not with the production encoder).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SocketGuestTransportTest {

    @TempDir
    Path dir;

    /** A frame: u32 length, u16 kind, u16 flags, then the body. */
    private static byte[] frame(final int kind, final byte[] body) {
        return ByteBuffer.allocate(8 + body.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(body.length)
                .putShort((short) kind)
                .putShort((short) 0)
                .put(body)
                .array();
    }

    private static ByteBuffer body(final int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void str(final ByteBuffer b, final String s) {
        final byte[] u = s.getBytes(StandardCharsets.UTF_8);
        b.putShort((short) u.length).put(u);
    }

    private static byte[] readFrame(final SocketChannel ch) throws IOException {
        final ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, header);
        final ByteBuffer body = ByteBuffer.allocate(header.getInt(0));
        readFully(ch, body);
        return ByteBuffer.allocate(8 + body.capacity())
                .put(header.array())
                .put(body.array())
                .array();
    }

    private static void readFully(final SocketChannel ch, final ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("peer closed");
            }
        }
    }

    private static void write(final SocketChannel ch, final byte[] bytes) throws IOException {
        final ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static byte[] deliver(final int sequence, final int vp, final int sint, final byte[] payload) {
        return frame(
                0x4001,
                body(20 + payload.length)
                        .putInt(sequence)
                        .putInt(vp)
                        .put((byte) sint)
                        .put((byte) 0)
                        .putShort((short) 0)
                        .putInt(1)
                        .putInt(payload.length)
                        .put(payload)
                        .array());
    }

    private static byte[] signalGuest(final int vp, final int sint, final int flag) {
        return frame(
                0x4002,
                body(8).putInt(vp)
                        .put((byte) sint)
                        .put((byte) 0)
                        .putShort((short) flag)
                        .array());
    }

    private record Seen(String what, int vp, int sint, int value, byte[] payload) {}

    @Test
    void shouldSpeakHelloPostDeliverSignalAndSlotBusyByteForByte() throws Exception {
        final Path socket = dir.resolve("fake.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                GuestRam ram = GuestRam.create(dir.resolve("guest.ram"), 4, false)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            final CompletableFuture<SocketGuestTransport> connecting = CompletableFuture.supplyAsync(
                    () -> SocketGuestTransport.connect(socket, ram, 2, "vm-1", Duration.ofSeconds(10)));
            try (SocketChannel peer = server.accept()) {
                // HELLO: u16 version 1, u16 0, u32 vp_count, u64 ram_bytes, str ram_path, str vm_name
                final String path = ram.file().toAbsolutePath().toString();
                final ByteBuffer hello = body(16 + 2 + path.length() + 2 + 4);
                hello.putShort((short) 1).putShort((short) 0).putInt(2).putLong(4 * 4096L);
                str(hello, path);
                str(hello, "vm-1");
                assertThat(readFrame(peer)).isEqualTo(frame(0x0001, hello.array()));
                write(
                        peer,
                        frame(
                                0x8001,
                                body(12).putShort((short) 1)
                                        .putShort((short) 0)
                                        .putInt(0x00050003)
                                        .putInt(0x6F)
                                        .array()));
                final SocketGuestTransport t = connecting.get(10, TimeUnit.SECONDS);
                assertThat(t.hello().maxVersion()).isEqualTo(0x00050003);

                final LinkedBlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
                t.attach(new GuestTransport.Listener() {
                    @Override
                    public void onMessage(final int vp, final int sint, final int type, final byte[] payload) {
                        seen.add(new Seen("message", vp, sint, type, payload));
                    }

                    @Override
                    public void onSignal(final int vp, final int sint, final int flag) {
                        seen.add(new Seen("signal", vp, sint, flag, null));
                    }
                });

                // POST_MESSAGE, with an unsolicited DELIVER_MESSAGE before its POST_RESULT
                final byte[] msg = {3, 0, 0, 0, 0, 0, 0, 0};
                final CompletableFuture<Integer> post =
                        CompletableFuture.supplyAsync(() -> t.postMessage(4, 1, 1, msg));
                assertThat(readFrame(peer))
                        .isEqualTo(frame(
                                0x0002,
                                body(24).putInt(4)
                                        .putInt(1)
                                        .putInt(1)
                                        .putInt(8)
                                        .put(msg)
                                        .array()));
                final byte[] offer = new byte[200];
                offer[0] = 1;
                write(peer, deliver(9, 1, 2, offer));
                assertThat(readFrame(peer))
                        .isEqualTo(frame(
                                0x0005,
                                body(8).putInt(9)
                                        .putShort((short) 0)
                                        .putShort((short) 0)
                                        .array()));
                write(
                        peer,
                        frame(
                                0x8002,
                                body(4).putShort((short) 19).putShort((short) 0).array()));
                assertThat(post.get(10, TimeUnit.SECONDS)).isEqualTo(HvStatus.INSUFFICIENT_BUFFERS);
                final Seen delivered = seen.poll(10, TimeUnit.SECONDS);
                assertThat(delivered).isNotNull();
                assertThat(delivered.what()).isEqualTo("message");
                assertThat(delivered.vp()).isEqualTo(1);
                assertThat(delivered.sint()).isEqualTo(2);
                assertThat(delivered.payload()).isEqualTo(offer);

                // SIGNAL_EVENT: u32 connection id, u16 flag, u16 0
                t.signalEvent(0x2005, 3);
                assertThat(readFrame(peer))
                        .isEqualTo(frame(
                                0x0003,
                                body(8).putInt(0x2005)
                                        .putShort((short) 3)
                                        .putShort((short) 0)
                                        .array()));

                // SIGNAL_GUEST reaches the listener
                write(peer, signalGuest(1, 2, 5));
                final Seen signal = seen.poll(10, TimeUnit.SECONDS);
                assertThat(signal).isEqualTo(new Seen("signal", 1, 2, 5, null));

                // slot busy: DELIVER_RESULT status 1, then MESSAGE_SLOT_FREE for that vp and sint
                t.refuseNextDeliveries(1);
                write(peer, deliver(10, 1, 2, offer));
                assertThat(readFrame(peer))
                        .isEqualTo(frame(
                                0x0005,
                                body(8).putInt(10)
                                        .putShort((short) 1)
                                        .putShort((short) 0)
                                        .array()));
                assertThat(readFrame(peer))
                        .isEqualTo(frame(0x0004, body(8).putInt(1).put((byte) 2).array()));
                write(peer, deliver(11, 1, 2, offer));
                assertThat(readFrame(peer))
                        .isEqualTo(frame(
                                0x0005,
                                body(8).putInt(11)
                                        .putShort((short) 0)
                                        .putShort((short) 0)
                                        .array()));
                assertThat(seen.poll(10, TimeUnit.SECONDS).what()).isEqualTo("message");
                assertThat(t.busyAnswers()).isEqualTo(1);

                // an unknown frame kind is recorded, and the stream goes on
                write(peer, frame(0x4999, new byte[4]));
                write(peer, signalGuest(0, 2, 6));
                assertThat(seen.poll(10, TimeUnit.SECONDS)).isEqualTo(new Seen("signal", 0, 2, 6, null));
                assertThat(t.errors()).hasSize(1);
                t.close();
            }
        }
    }

    @Test
    void shouldFailPendingRequestsWhenTheServerCloses() throws Exception {
        final Path socket = dir.resolve("closing.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                GuestRam ram = GuestRam.create(dir.resolve("guest.ram"), 4, false)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            final CompletableFuture<SocketGuestTransport> connecting = CompletableFuture.supplyAsync(
                    () -> SocketGuestTransport.connect(socket, ram, 1, "vm", Duration.ofSeconds(10)));
            try (SocketChannel peer = server.accept()) {
                readFrame(peer);
                peer.close();
            }
            assertThat(connecting)
                    .failsWithin(10, TimeUnit.SECONDS)
                    .withThrowableThat()
                    .havingCause()
                    .isInstanceOfSatisfying(
                            GuestException.class, e -> assertThat(e.kind()).isEqualTo(GuestException.Kind.TRANSPORT));
        }
    }
}
