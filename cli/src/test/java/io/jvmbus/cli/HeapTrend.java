package io.jvmbus.cli;

import java.util.List;

/**
 * Whether a series of heap-after-collection samples stays flat: the highest sample of the last third may exceed the
 * highest of the first third by at most a quarter plus 8 MiB (sessions come and go, so single samples vary; a leak
 * proportional to the traffic grows well past that over a run).
 *
 * @param samples heap used after a full collection, bytes, in time order
 */
record HeapTrend(List<Long> samples) {

    /** Slack in bytes on top of the relative bound. */
    static final long SLACK_BYTES = 8L << 20;

    HeapTrend {
        samples = List.copyOf(samples);
    }

    long firstThirdMax() {
        return max(0, samples.size() / 3);
    }

    long lastThirdMax() {
        return max(samples.size() - samples.size() / 3, samples.size());
    }

    long overallMax() {
        return max(0, samples.size());
    }

    boolean flat() {
        return samples.size() >= 3 && lastThirdMax() <= firstThirdMax() + firstThirdMax() / 4 + SLACK_BYTES;
    }

    private long max(final int from, final int to) {
        long m = 0;
        for (int i = from; i < to; i++) {
            m = Math.max(m, samples.get(i));
        }
        return m;
    }

    @Override
    public String toString() {
        return samples.size() + " samples, heap after GC: first-third max " + (firstThirdMax() >> 10)
                + " KiB, last-third max " + (lastThirdMax() >> 10) + " KiB, overall max " + (overallMax() >> 10)
                + " KiB";
    }
}
