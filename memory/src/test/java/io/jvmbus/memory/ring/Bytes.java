package io.jvmbus.memory.ring;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/** Small test helpers for payload bytes. */
final class Bytes {

    private Bytes() {}

    static byte[] random(final SplittableRandom random, final int n) {
        final byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        return b;
    }

    static byte[] pattern(final int n, final int seed) {
        final byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed * 31 + i * 7 + (i >>> 8));
        }
        return b;
    }

    static MemorySegment segment(final byte[] b) {
        return MemorySegment.ofArray(b);
    }
}
