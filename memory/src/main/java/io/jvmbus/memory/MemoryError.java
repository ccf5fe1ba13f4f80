package io.jvmbus.memory;

import java.util.Objects;

/**
 * Why guest memory could not be used as asked: a GPADL or ring layout a guest supplied does not fit its RAM or the
 * rules. Created only on the failure path.
 *
 * @param kind the class of error
 * @param message what was wrong, naming the value and the expectation
 */
public record MemoryError(Kind kind, String message) {

    /** Classes of guest-memory errors. */
    public enum Kind {
        /** A guest page number is not inside guest RAM. */
        PAGE_OUT_OF_RANGE,
        /** A ring GPADL does not have exactly one range. */
        RANGE_COUNT,
        /** A ring GPADL does not start at offset 0 of its first page. */
        UNALIGNED,
        /** A ring GPADL's length is not a whole number of pages. */
        ODD_SIZE,
        /** {@code downstream_ringbuffer_pageoffset} is not strictly inside the GPADL. */
        BAD_SPLIT,
        /** A ring has fewer than two pages (a control page and at least one data page). */
        RING_TOO_SMALL,
        /** A ring's data area is larger than this implementation supports. */
        RING_TOO_LARGE,
        /** The same guest page appears twice in the ring GPADL, so the rings (or a ring and itself) overlap. */
        OVERLAP
    }

    /**
     * Checks the fields are present.
     *
     * @param kind the class
     * @param message the description
     */
    public MemoryError {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return kind + ": " + message;
    }
}
