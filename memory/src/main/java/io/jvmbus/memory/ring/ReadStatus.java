package io.jvmbus.memory.ring;

/** What {@link IncomingRing#poll(PacketView)} found. */
public enum ReadStatus {
    /** A valid packet; the view now describes it. */
    PACKET,
    /** No packet: the producer has published nothing more. */
    EMPTY,
    /** The ring is corrupt ({@link IncomingRing#corruption()} says why); it stays corrupt. */
    CORRUPT
}
