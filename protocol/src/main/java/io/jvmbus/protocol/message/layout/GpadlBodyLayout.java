package io.jvmbus.protocol.message.layout;

/**
 * Layout of GPADL_BODY (message 9, Linux struct vmbus_channel_gpadl_body): the guest continues a GPADL. More range
 * data follows the fixed part, starting at byte 16. Offsets are absolute from the start of the message, header
 * included.
 *
 * <pre>
 *   offset size
 *        0      +----------------------------------------------+
 *             8 | header                                       |
 *        8      +----------------------------------------------+
 *             4 | msgnumber u32                                |
 *       12      +----------------------------------------------+
 *             4 | gpadl_id u32                                 |
 *       16      +----------------------------------------------+
 *           ... | range data u64[] (flex)                      |
 * </pre>
 *
 * <p>Publication: the whole structure travels as one SynIC message payload; the sender fills every byte (padding
 * and reserved bytes as zero) before posting it, and no field changes after that.
 */
public final class GpadlBodyLayout {

    /** Offset of {@code header}: the channel message header (message_type u32, padding u32). */
    public static final int HEADER_OFFSET = 0;

    /** Size of {@code header}. */
    public static final int HEADER_SIZE = ChannelMessageHeaderLayout.SIZE;

    /** Offset of {@code msgnumber}: ignored by the reference server; Linux writes 0 (reference: rsvd). */
    public static final int MESSAGE_NUMBER_OFFSET = HEADER_OFFSET + HEADER_SIZE;

    /** Size of {@code msgnumber}. */
    public static final int MESSAGE_NUMBER_SIZE = 4;

    /** Offset of {@code gpadl_id}: the GPADL handle. */
    public static final int GPADL_ID_OFFSET = MESSAGE_NUMBER_OFFSET + MESSAGE_NUMBER_SIZE;

    /** Size of {@code gpadl_id}. */
    public static final int GPADL_ID_SIZE = 4;

    /** Size of the structure. */
    public static final int SIZE = GPADL_ID_OFFSET + GPADL_ID_SIZE;

    /** Offset of the range data (Linux pfn[]): right after the fixed part. */
    public static final int DATA_OFFSET = SIZE;
    /** How many u64 words of range data fit in one message. */
    public static final int MAX_DATA_WORDS = (ChannelMessageHeaderLayout.MAX_MESSAGE_SIZE - DATA_OFFSET) / 8;

    private GpadlBodyLayout() {}
}
