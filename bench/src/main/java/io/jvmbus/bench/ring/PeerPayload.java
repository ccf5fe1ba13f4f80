package io.jvmbus.bench.ring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * linux-ring-peer's payload generator (xorshift64* seeded per packet, as its README specifies), writing into and
 * checking against reusable segments without allocating.
 */
final class PeerPayload {

    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final long MULTIPLIER = 0x2545F4914F6CDD1DL;

    private long x;

    private void seed(final long seed, final long seq) {
        x = seed ^ (seq * GOLDEN);
        if (x == 0) {
            x = GOLDEN;
        }
    }

    private long next() {
        long v = x;
        v ^= v >>> 12;
        v ^= v << 25;
        v ^= v >>> 27;
        x = v;
        return v * MULTIPLIER;
    }

    /**
     * Writes packet {@code seq}'s payload of the fixed-size stream (min = max = {@code length}).
     *
     * @param buffer at least {@code align8(length)} bytes
     */
    void fill(final long seed, final long seq, final int length, final MemorySegment buffer) {
        seed(seed, seq);
        next(); // r0 picks the length; fixed here
        for (int i = 0; i < length; i += 8) {
            buffer.set(U64, i, next()); // the tail beyond length is not part of the payload
        }
    }

    /**
     * Whether {@code buffer[0, length)} is packet {@code seq}'s payload.
     *
     * @param buffer the payload as read
     * @return true if every byte matches
     */
    boolean matches(final long seed, final long seq, final int length, final MemorySegment buffer) {
        seed(seed, seq);
        next();
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            if (buffer.get(U64, i) != next()) {
                return false;
            }
        }
        if (i < length) {
            final long mask = -1L >>> (8 * (8 - (length - i)));
            return ((buffer.get(U64, i) ^ next()) & mask) == 0;
        }
        return true;
    }
}
