package io.jvmbus.server;

/**
 * The handle the core gives one offer of one device. Handles are never reused: a device that re-offers a revoked
 * channel gets a new handle, so a completion from the old incarnation can never be taken for the new one. Ordered by
 * value, which is the order the offers arrived in.
 *
 * @param value a positive number unique within one server
 */
public record OfferId(long value) implements Comparable<OfferId> {

    /**
     * Validates the value.
     *
     * @throws IllegalArgumentException if {@code value <= 0}
     */
    public OfferId {
        if (value <= 0) {
            throw new IllegalArgumentException("offer id value=" + value + " (expected: > 0)");
        }
    }

    @Override
    public int compareTo(final OfferId other) {
        return Long.compare(value, other.value);
    }

    @Override
    public String toString() {
        return "offer#" + value;
    }
}
