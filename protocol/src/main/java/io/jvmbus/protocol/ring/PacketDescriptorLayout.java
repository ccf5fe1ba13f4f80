package io.jvmbus.protocol.ring;

/**
 * The 16-byte descriptor that starts every packet in a ring's data area ({@code struct vmpacket_descriptor}).
 * Little-endian.
 *
 * <pre>
 *   0               2               4               6               8                               16
 *   +---------------+---------------+---------------+---------------+-------------------------------+
 *   |   type u16    |  offset8 u16  |   len8 u16    |   flags u16   |        trans_id u64           |
 *   +---------------+---------------+---------------+---------------+-------------------------------+
 *   16 .. offset8*8:        type-specific header (transfer pages, GPA direct), if any
 *   offset8*8 .. len8*8:    payload, zero-padded to a multiple of 8
 *   len8*8 .. len8*8 + 8:   trailer ({@link PacketTrailerLayout}), not counted in len8
 * </pre>
 *
 * <p>{@code offset8} is where the payload starts and {@code len8} the packet length without the trailer, both in
 * 8-byte units and counted from the start of the descriptor; a valid packet has {@code 2 <= offset8 <= len8}. The next
 * packet starts at {@code start + len8 * 8 + 8}, modulo the data size: a packet may wrap past the end of the data
 * area. {@code flags} bit 0 asks the receiver for a completion (type {@link PacketType#COMPLETION}) echoing
 * {@code trans_id}.
 *
 * <p><b>Publication rule.</b> The producer writes the descriptor together with the rest of the packet before it
 * publishes {@code write_index} (see {@link RingHeaderLayout}); a consumer reads each descriptor field exactly once,
 * after its acquire load of {@code write_index}, and validates it before use, because the other side can rewrite it
 * at any time.
 */
public final class PacketDescriptorLayout {

    /** Offset of type (u16), a {@link PacketType} code. */
    public static final int TYPE_OFFSET = 0;
    /** Size of type. */
    public static final int TYPE_SIZE = 2;
    /** Offset of offset8 (u16): payload offset in 8-byte units. */
    public static final int DATA_OFFSET8_OFFSET = TYPE_OFFSET + TYPE_SIZE;
    /** Size of offset8. */
    public static final int DATA_OFFSET8_SIZE = 2;
    /** Offset of len8 (u16): packet length without the trailer, in 8-byte units. */
    public static final int LENGTH8_OFFSET = DATA_OFFSET8_OFFSET + DATA_OFFSET8_SIZE;
    /** Size of len8. */
    public static final int LENGTH8_SIZE = 2;
    /** Offset of flags (u16). */
    public static final int FLAGS_OFFSET = LENGTH8_OFFSET + LENGTH8_SIZE;
    /** Size of flags. */
    public static final int FLAGS_SIZE = 2;
    /** Offset of trans_id (u64). */
    public static final int TRANSACTION_ID_OFFSET = FLAGS_OFFSET + FLAGS_SIZE;
    /** Size of trans_id. */
    public static final int TRANSACTION_ID_SIZE = 8;
    /** Size of the descriptor. */
    public static final int SIZE = TRANSACTION_ID_OFFSET + TRANSACTION_ID_SIZE;

    /** flags bit 0 ({@code VMBUS_DATA_PACKET_FLAG_COMPLETION_REQUESTED}). */
    public static final int FLAG_COMPLETION_REQUESTED = 1;
    /** Every flag bit a sender may set; any other bit makes the packet invalid. */
    public static final int VALID_FLAGS = FLAG_COMPLETION_REQUESTED;
    /** Unit of offset8 and len8. */
    public static final int UNIT = 8;
    /** The smallest legal offset8 and len8: the descriptor itself. */
    public static final int MIN_LENGTH8 = SIZE / UNIT;
    /** The largest len8 (a u16), i.e. a packet of at most 524280 bytes. */
    public static final int MAX_LENGTH8 = 0xFFFF;

    private PacketDescriptorLayout() {}

    /**
     * Rounds a byte count up to the 8-byte unit.
     *
     * @param bytes a non-negative byte count
     * @return the next multiple of 8
     */
    public static long align8(final long bytes) {
        return (bytes + (UNIT - 1)) & ~(long) (UNIT - 1);
    }
}
