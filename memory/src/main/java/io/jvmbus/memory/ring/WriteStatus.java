package io.jvmbus.memory.ring;

/** What {@link OutgoingRing#tryWrite} did. */
public enum WriteStatus {
    /** The packet is in the ring; it becomes visible at the next {@link OutgoingRing#commitWrite()}. */
    WRITTEN,
    /** Not enough free space now; nothing was written. */
    FULL,
    /** The packet is longer than the ring's maximum packet length; nothing was written. */
    TOO_LARGE,
    /** The ring is corrupt ({@link OutgoingRing#corruption()} says why); it stays corrupt. */
    CORRUPT
}
