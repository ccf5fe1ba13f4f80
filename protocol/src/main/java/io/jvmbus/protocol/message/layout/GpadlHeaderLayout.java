package io.jvmbus.protocol.message.layout;

/**
 * Layout of GPADL_HEADER (message 8, Linux struct vmbus_channel_gpadl_header): the guest starts a GPADL. GPA range
 * data ({@link io.jvmbus.protocol.GpaRanges}) follows the fixed part, starting at byte 20, i.e. not 8-byte
 * aligned. Offsets are absolute from the start of the message, header included.
 *
 * <pre>
 *   offset size
 *        0      +----------------------------------------------+
 *             8 | header                                       |
 *        8      +----------------------------------------------+
 *             4 | channel_id u32                               |
 *       12      +----------------------------------------------+
 *             4 | gpadl_id u32                                 |
 *       16      +----------------------------------------------+
 *             2 | range_buflen u16                             |
 *       18      +----------------------------------------------+
 *             2 | rangecount u16                               |
 *       20      +----------------------------------------------+
 *           ... | range data u64[] (flex)                      |
 * </pre>
 *
 * <p>Publication: the whole structure travels as one SynIC message payload; the sender fills every byte (padding
 * and reserved bytes as zero) before posting it, and no field changes after that.
 */
public final class GpadlHeaderLayout {

    /** Offset of {@code header}: the channel message header (message_type u32, padding u32). */
    public static final int HEADER_OFFSET = 0;

    /** Size of {@code header}. */
    public static final int HEADER_SIZE = ChannelMessageHeaderLayout.SIZE;

    /** Offset of {@code channel_id}: the channel (Linux child_relid). */
    public static final int CHANNEL_ID_OFFSET = HEADER_OFFSET + HEADER_SIZE;

    /** Size of {@code channel_id}. */
    public static final int CHANNEL_ID_SIZE = 4;

    /** Offset of {@code gpadl_id}: the GPADL handle. */
    public static final int GPADL_ID_OFFSET = CHANNEL_ID_OFFSET + CHANNEL_ID_SIZE;

    /** Size of {@code gpadl_id}. */
    public static final int GPADL_ID_SIZE = 4;

    /** Offset of {@code range_buflen}: total bytes of range data across header and bodies. */
    public static final int RANGE_BUFFER_LENGTH_OFFSET = GPADL_ID_OFFSET + GPADL_ID_SIZE;

    /** Size of {@code range_buflen}. */
    public static final int RANGE_BUFFER_LENGTH_SIZE = 2;

    /** Offset of {@code rangecount}: number of GPA ranges. */
    public static final int RANGE_COUNT_OFFSET = RANGE_BUFFER_LENGTH_OFFSET + RANGE_BUFFER_LENGTH_SIZE;

    /** Size of {@code rangecount}. */
    public static final int RANGE_COUNT_SIZE = 2;

    /** Size of the structure. */
    public static final int SIZE = RANGE_COUNT_OFFSET + RANGE_COUNT_SIZE;

    /** Offset of the range data (Linux range[]): right after the fixed part. */
    public static final int DATA_OFFSET = SIZE;
    /** How many u64 words of range data fit in one message. */
    public static final int MAX_DATA_WORDS = (ChannelMessageHeaderLayout.MAX_MESSAGE_SIZE - DATA_OFFSET) / 8;

    private GpadlHeaderLayout() {}
}
