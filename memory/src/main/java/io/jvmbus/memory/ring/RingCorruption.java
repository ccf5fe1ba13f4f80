package io.jvmbus.memory.ring;

import java.util.Objects;

/**
 * Why a ring was found corrupt. The other side of a ring can write anything into it; the first invalid index or
 * descriptor makes the ring corrupt for good, and the channel owner decides what to do (typically: stop the channel
 * and tell the device). Created only on the failure path.
 *
 * @param kind the class of corruption
 * @param position data-area offset where it was found (the packet start, or -1 for an index)
 * @param value the offending value as read
 * @param message a description naming the value and the expectation
 */
public record RingCorruption(Kind kind, int position, long value, String message) {

    /** Classes of corruption. */
    public enum Kind {
        /** write_index is not a multiple of 8 below the data size. */
        WRITE_INDEX,
        /** read_index is not a multiple of 8 below the data size. */
        READ_INDEX,
        /** Fewer bytes available than a descriptor and a trailer. */
        DATA_AVAILABLE,
        /** len8 or offset8 is inconsistent: not {@code 2 <= offset8 <= len8}. */
        DESCRIPTOR_LENGTHS,
        /** The packet and its trailer do not fit in the bytes the producer published. */
        PACKET_EXCEEDS_DATA,
        /** A flag bit other than COMPLETION_REQUESTED is set. */
        DESCRIPTOR_FLAGS,
        /** A packet type the reader does not accept. */
        DESCRIPTOR_TYPE,
        /** A transfer-page or GPA-direct header that does not fit its offset8, or has no ranges. */
        DESCRIPTOR_HEADER
    }

    /**
     * Checks the fields are present.
     *
     * @param kind the class
     * @param position where
     * @param value what was read
     * @param message the description
     */
    public RingCorruption {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return "ring corrupt: " + kind + " at " + position + ": " + message;
    }
}
