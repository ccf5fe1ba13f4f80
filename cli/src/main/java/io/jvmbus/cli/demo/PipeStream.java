package io.jvmbus.cli.demo;

import io.jvmbus.client.GuestChannel;
import io.jvmbus.memory.ring.WriteStatus;
import io.jvmbus.protocol.ring.PacketType;
import io.jvmbus.protocol.ring.PipePacketLayout;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The guest's end of a {@code pipe} channel, in Hyper-V's pipe format: each in-band packet's payload is {@code u32
 * type = 1, u32 data_size} followed by the stream bytes. A reserved channel gets no interrupts the guest waits for (a
 * firmware debugger polls), so both directions poll the rings with a short park, bounded by a deadline.
 */
final class PipeStream {

    private static final int DATA = PipePacketLayout.TYPE_DATA;
    private static final int HEADER = PipePacketLayout.HEADER_BYTES;
    private static final int IN_BAND = PacketType.DATA_INBAND.code();
    /** The most stream bytes the demo puts in one packet (the host device also caps its packets at 4 KiB). */
    static final int MAX_CHUNK = 4096 - HEADER;

    private static final long POLL_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private PipeStream() {}

    /** Writes {@code data} as pipe packets of at most {@link #MAX_CHUNK} bytes, waiting for ring space. */
    static void send(final GuestChannel ch, final byte[] data, final Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        final int chunk = Math.min(MAX_CHUNK, ch.maxPayload() - HEADER);
        for (int off = 0; off < data.length; off += chunk) {
            final int n = Math.min(chunk, data.length - off);
            final byte[] packet = ByteBuffer.allocate(HEADER + n)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(DATA)
                    .putInt(n)
                    .put(data, off, n)
                    .array();
            while (true) {
                final WriteStatus w = ch.trySend(off, false, packet);
                if (w == WriteStatus.WRITTEN) {
                    break;
                }
                if (w != WriteStatus.FULL) {
                    throw new DemoException("debug channel write: " + w + " (expected: WRITTEN or FULL)");
                }
                park(deadline, "ring space on the debug channel");
            }
        }
    }

    /** Reads pipe packets until exactly {@code count} stream bytes came; anything malformed is an error. */
    static byte[] receive(final GuestChannel ch, final int count, final Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        final ByteArrayOutputStream got = new ByteArrayOutputStream(count);
        while (got.size() < count) {
            final GuestChannel.Packet p = ch.tryReceive();
            if (p == null) {
                park(deadline, (count - got.size()) + " more bytes on the debug channel");
                continue;
            }
            final ByteBuffer b = ByteBuffer.wrap(p.payload()).order(ByteOrder.LITTLE_ENDIAN);
            if (p.type() != IN_BAND || p.payload().length < HEADER) {
                throw new DemoException("debug channel packet type=" + p.type() + " length=" + p.payload().length
                        + " (expected: in-band (6) with a pipe header)");
            }
            final int type = b.getInt(PipePacketLayout.TYPE_OFFSET);
            final int size = b.getInt(PipePacketLayout.DATA_SIZE_OFFSET);
            if (type != DATA || size < 0 || size > p.payload().length - HEADER) {
                throw new DemoException("pipe header type=" + type + " data_size=" + size
                        + " (expected: type 1, size <= " + (p.payload().length - HEADER) + ")");
            }
            got.write(p.payload(), HEADER, size);
        }
        if (got.size() != count) {
            throw new DemoException("debug channel carried " + got.size() + " bytes (expected: " + count + ")");
        }
        return got.toByteArray();
    }

    private static void park(final long deadline, final String what) {
        if (System.nanoTime() - deadline >= 0) {
            throw new DemoException("no " + what + " in time");
        }
        LockSupport.parkNanos(POLL_NANOS);
    }
}
