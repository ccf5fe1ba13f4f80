package io.jvmbus.server;

/** How a channel uses monitored notifications (MNF): not at all, handled by this server, or by an upstream host. */
public sealed interface MnfUsage {

    /** No MNF: the offer carries monitor id 0xFF. */
    record Disabled() implements MnfUsage {}

    /**
     * This server handles MNF: a monitor id 0..127 is allocated (lowest free) when the channel gets its channel id.
     *
     * @param latencyNanos the interrupt latency the device asks for, passed to it at open
     */
    record Enabled(long latencyNanos) implements MnfUsage {
        /**
         * Validates the latency.
         *
         * @throws IllegalArgumentException if negative
         */
        public Enabled {
            if (latencyNanos < 0) {
                throw new IllegalArgumentException("latencyNanos=" + latencyNanos + " (expected: >= 0)");
            }
        }
    }

    /**
     * An upstream host handles MNF and chose the monitor id; it never enters this server's allocator.
     *
     * @param monitorId 0..127
     */
    record Relayed(int monitorId) implements MnfUsage {
        /**
         * Validates the id.
         *
         * @throws IllegalArgumentException if not 0..127
         */
        public Relayed {
            if (monitorId < 0 || monitorId >= io.jvmbus.protocol.ConnectionIds.MONITOR_ID_COUNT) {
                throw new IllegalArgumentException("monitorId=" + monitorId + " (expected: 0..127)");
            }
        }
    }

    /** The shared "no MNF" value. */
    MnfUsage DISABLED = new Disabled();
}
