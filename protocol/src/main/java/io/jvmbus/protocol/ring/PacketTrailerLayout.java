package io.jvmbus.protocol.ring;

/**
 * The 8 bytes that follow every packet in a ring ({@code u64 prev_indices} in Linux). They are not counted in the
 * descriptor's {@code len8}. Little-endian.
 *
 * <pre>
 *   0                               4                               8
 *   +-------------------------------+-------------------------------+
 *   |        reserved u32 = 0       |   start_offset u32            |
 *   +-------------------------------+-------------------------------+
 *   read as one u64: (u64) start_offset &lt;&lt; 32
 * </pre>
 *
 * <p>{@code start_offset} is the data-area offset where the packet's descriptor starts (the producer's
 * {@code write_index} before the packet). Producers write it with the packet, before publishing {@code write_index};
 * consumers (Linux and the reference alike) skip it and must not depend on it. A packet with its trailer always
 * takes {@code len8 * 8 + 8} bytes of the ring.
 */
public final class PacketTrailerLayout {

    /** Offset of the reserved low half. */
    public static final int RESERVED_OFFSET = 0;
    /** Size of the reserved half. */
    public static final int RESERVED_SIZE = 4;
    /** Offset of start_offset (u32). */
    public static final int START_OFFSET_OFFSET = RESERVED_OFFSET + RESERVED_SIZE;
    /** Size of start_offset. */
    public static final int START_OFFSET_SIZE = 4;
    /** Size of the trailer. */
    public static final int SIZE = START_OFFSET_OFFSET + START_OFFSET_SIZE;

    private PacketTrailerLayout() {}

    /**
     * The trailer value for a packet that starts at {@code startOffset}.
     *
     * @param startOffset the packet's data-area offset (an unsigned 32-bit value)
     * @return {@code (u64) startOffset << 32}
     */
    public static long value(final int startOffset) {
        return Integer.toUnsignedLong(startOffset) << 32;
    }
}
