package io.jvmbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.client.GuestChannel;
import io.jvmbus.client.GuestClient;
import io.jvmbus.client.GuestOptions;
import io.jvmbus.client.GuestRam;
import io.jvmbus.client.OpenOptions;
import io.jvmbus.client.SocketGuestTransport;
import io.jvmbus.memory.ring.WriteStatus;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.message.ChannelMessage.OfferChannel;
import io.jvmbus.testkit.process.ServeProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Servicing from one {@code jvmbus serve} process to a second, new one in the seed scenario's window: the firmware has
 * a reserved echo channel and a reserved pipe channel open and has unloaded (no guest client connected) when the VMM
 * saves; the OS connects to the new process and takes both channels over. Bytes in flight are in the rings (packets
 * the echo device has not read yet, echoes the guest has not read), in the echo device (its waiting echo) and in the
 * pipe device (stream bytes no debugger took yet); every one must arrive exactly once, in order.
 */
@Timeout(120)
class ServeServicingTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Guid ECHO = Guid.parse("a1f2d6f4-5d0e-4a52-9e2b-6c0f7d3e8a01");
    private static final Guid DEBUG = Guid.ofData1(0xdb6);
    private static final Guid INSTANCE = Guid.ofData1(0x1);
    private static final int ECHO_PAYLOAD = 200;

    @TempDir
    Path dir;

    /** One pipe packet, built by hand: {u32 type = 1, u32 size}, data. */
    private static byte[] pipePacket(final byte[] data) {
        return ByteBuffer.allocate(8 + data.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(1)
                .putInt(data.length)
                .put(data)
                .array();
    }

    /** The echo payload for sequence number {@code seq}: the number, then a pattern derived from it. */
    private static byte[] echoPayload(final int seq) {
        final ByteBuffer b = ByteBuffer.allocate(ECHO_PAYLOAD).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(seq);
        while (b.hasRemaining()) {
            b.put((byte) (seq * 31 + b.position()));
        }
        return b.array();
    }

    private static GuestChannel.Packet receive(final GuestChannel ch) {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            final GuestChannel.Packet p = ch.tryReceive();
            if (p != null) {
                return p;
            }
            assertThat(System.nanoTime() - deadline).as("a packet in time").isNegative();
            Thread.onSpinWait();
        }
    }

    private static byte[] pollStream(final GuestChannel ch, final int count) {
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        while (got.size() < count) {
            final GuestChannel.Packet p = receive(ch);
            final ByteBuffer b = ByteBuffer.wrap(p.payload()).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(b.getInt()).as("pipe type").isEqualTo(1);
            got.write(p.payload(), 8, b.getInt());
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

    private static void writeAll(final SocketChannel s, final byte[] bytes) throws IOException {
        final ByteBuffer w = ByteBuffer.wrap(bytes);
        while (w.hasRemaining()) {
            s.write(w);
        }
    }

    private static String offers(final Path endpoint) {
        return "{\"op\":\"offer\",\"name\":\"dbg\",\"device\":\"pipe\",\"interface\":\"" + DEBUG + "\",\"instance\":\""
                + INSTANCE + "\",\"endpoint\":\"unix:" + endpoint + "\"}";
    }

    private static String echoOffer() {
        return "{\"op\":\"offer\",\"name\":\"e0\",\"device\":\"echo\",\"interface\":\"" + ECHO + "\",\"instance\":\""
                + INSTANCE + "\"}";
    }

    private static OfferChannel offerOf(final List<OfferChannel> offers, final Guid iface) {
        return offers.stream()
                .filter(o -> o.interfaceId().equals(iface))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void shouldCarryReservedEchoAndPipeChannelsWithTheirBytesToANewServeProcess() throws Exception {
        final Path endpoint = dir.resolve("dbg.sock");
        final byte[] fromFirmware = new byte[1500];
        new Random(7).nextBytes(fromFirmware);
        int sent = 0;
        try (ServeProcess first = ServeProcess.start(dir.resolve("a.sock"), dir);
                ServeProcess second = ServeProcess.start(dir.resolve("b.sock"), dir);
                GuestRam ram = GuestRam.create(dir.resolve("guest.ram"), 512, false)) {
            // ---- old process: the firmware opens both channels reserved, leaves bytes everywhere, unloads
            final byte[] blob;
            final GuestChannel fwEcho;
            final GuestChannel fwPipe;
            try (SocketGuestTransport a = SocketGuestTransport.connect(first.socket(), ram, 2, "svc-vm", TIMEOUT)) {
                assertThat(a.control(offers(endpoint))).contains("\"ok\":true");
                assertThat(a.control(echoOffer())).contains("\"ok\":true");
                final GuestClient firmware = new GuestClient(a, ram, GuestOptions.uefi());
                firmware.connect(TIMEOUT);
                final List<OfferChannel> offered = firmware.requestOffers(TIMEOUT);
                fwEcho = firmware.openReserved(offerOf(offered, ECHO), OpenOptions.rings(2, 2), 0, 2, TIMEOUT);
                fwPipe = firmware.openReserved(offerOf(offered, DEBUG), OpenOptions.rings(2, 2), 0, 2, TIMEOUT);
                // no debugger yet: the pipe device keeps these bytes for it
                assertThat(fwPipe.trySend(1, false, pipePacket(fromFirmware))).isEqualTo(WriteStatus.WRITTEN);
                // echo requests nobody reads the answers of: the host->guest ring fills, the echo device keeps one
                // waiting echo and stops reading, then the guest->host ring fills too
                while (sent < 1000) {
                    final WriteStatus w = fwEcho.trySend(sent, false, echoPayload(sent));
                    if (w == WriteStatus.FULL) {
                        break;
                    }
                    assertThat(w).isEqualTo(WriteStatus.WRITTEN);
                    sent++;
                }
                assertThat(sent).as("the rings filled up").isLessThan(1000);
                firmware.unload(TIMEOUT);
                assertThat(firmware.protocolErrors()).isEmpty();
                blob = a.save();
            }
            first.awaitLine(l -> l.contains("SAVE:") && l.contains("2 devices"), TIMEOUT);

            // ---- new process: same RAM, the same devices offered, RESTORE; the OS takes the channels over
            try (SocketGuestTransport b = SocketGuestTransport.connect(second.socket(), ram, 2, "svc-vm", TIMEOUT)) {
                assertThat(b.control(echoOffer())).contains("\"ok\":true");
                assertThat(b.control(offers(endpoint))).contains("\"ok\":true");
                b.restore(blob);
                second.awaitLine(l -> l.contains("RESTORE:") && l.contains("2 claimed"), TIMEOUT);
                final GuestClient os = new GuestClient(b, ram, GuestOptions.copper(Guid.ofData1(0x05)));
                os.connect(TIMEOUT);
                assertThat(os.requestOffers(TIMEOUT))
                        .as("reserved channels are not offered to the OS")
                        .isEmpty();
                final GuestChannel echo = os.adoptReserved(fwEcho);
                final GuestChannel pipe = os.adoptReserved(fwPipe);

                // every echo exactly once, in order: those in the ring, the waiting one, those not read yet
                for (int seq = 0; seq < sent; seq++) {
                    final GuestChannel.Packet p = receive(echo);
                    assertThat(p.transactionId()).as("echo %d of %d", seq, sent).isEqualTo(seq);
                    assertThat(p.payload()).isEqualTo(echoPayload(seq));
                }
                assertThat(echo.trySend(sent, false, echoPayload(sent))).isEqualTo(WriteStatus.WRITTEN);
                assertThat(receive(echo).transactionId())
                        .as("the next echo is the new one: nothing duplicated")
                        .isEqualTo(sent);

                try (SocketChannel debugger = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    debugger.connect(UnixDomainSocketAddress.of(endpoint));
                    assertThat(readExactly(debugger, fromFirmware.length))
                            .as("the firmware's bytes, kept by the old process's pipe device")
                            .isEqualTo(fromFirmware);
                    final byte[] toGuest = new byte[3000];
                    new Random(8).nextBytes(toGuest);
                    writeAll(debugger, toGuest);
                    assertThat(pollStream(pipe, toGuest.length)).isEqualTo(toGuest);
                    final byte[] reply = new byte[700];
                    new Random(9).nextBytes(reply);
                    assertThat(pipe.trySend(2, false, pipePacket(reply))).isEqualTo(WriteStatus.WRITTEN);
                    assertThat(readExactly(debugger, reply.length)).isEqualTo(reply);
                }
                assertThat(os.protocolErrors()).isEmpty();
                assertThat(b.errors()).isEmpty();
                os.close();
            }
        }
    }
}
