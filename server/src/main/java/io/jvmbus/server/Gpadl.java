package io.jvmbus.server;

import io.jvmbus.protocol.Blob;

/**
 * One GPADL inside the core, with its assembly buffer. The expected length is explicit ({@link #words}'s length, from
 * the header's {@code len / 8}) rather than implied by a buffer capacity (reference B4).
 */
final class Gpadl {
    OfferId owner;
    final int gpadlId;
    final int rangeCount;
    /** Exactly the expected number of u64 words; the first {@link #received} are filled. */
    final long[] words;

    int received;
    GpadlState state = GpadlState.IN_PROGRESS;

    Gpadl(final OfferId owner, final int gpadlId, final int rangeCount, final int expectedWords) {
        this.owner = owner;
        this.gpadlId = gpadlId;
        this.rangeCount = rangeCount;
        this.words = new long[expectedWords];
    }

    /**
     * Appends the whole words of {@code data}, but never more than are still expected (some clients, e.g. UEFI,
     * always send the longest message; trailing partial words and excess words are ignored).
     */
    void append(final Blob data) {
        final int available = data.length() / 8;
        final int take = Math.min(available, words.length - received);
        for (int i = 0; i < take; i++) {
            long w = 0;
            final int base = i * 8;
            for (int b = 7; b >= 0; b--) {
                w = (w << 8) | (data.get(base + b) & 0xFFL);
            }
            words[received + i] = w;
        }
        received += take;
    }

    boolean isComplete() {
        return received == words.length;
    }

    long declaredBytes() {
        return words.length * 8L;
    }

    Blob data() {
        final long[] filled = received == words.length ? words : java.util.Arrays.copyOf(words, received);
        return Blob.ofLongs(filled);
    }
}
