package io.jvmbus.protocol.message.layout;

/**
 * Layout of OPEN_CHANNEL_RESULT (message 6, Linux struct vmbus_channel_open_result): the host answers an open.
 * Offsets are absolute from the start of the message, header included.
 *
 * <pre>
 *   offset size
 *        0      +----------------------------------------------+
 *             8 | header                                       |
 *        8      +----------------------------------------------+
 *             4 | channel_id u32                               |
 *       12      +----------------------------------------------+
 *             4 | open_id u32                                  |
 *       16      +----------------------------------------------+
 *             4 | status u32                                   |
 *       20      +----------------------------------------------+
 * </pre>
 *
 * <p>Publication: the whole structure travels as one SynIC message payload; the sender fills every byte (padding
 * and reserved bytes as zero) before posting it, and no field changes after that.
 */
public final class OpenResultLayout {

    /** Offset of {@code header}: the channel message header (message_type u32, padding u32). */
    public static final int HEADER_OFFSET = 0;

    /** Size of {@code header}. */
    public static final int HEADER_SIZE = ChannelMessageHeaderLayout.SIZE;

    /** Offset of {@code channel_id}: the channel (Linux child_relid). */
    public static final int CHANNEL_ID_OFFSET = HEADER_OFFSET + HEADER_SIZE;

    /** Size of {@code channel_id}. */
    public static final int CHANNEL_ID_SIZE = 4;

    /** Offset of {@code open_id}: echo of the open's cookie. */
    public static final int OPEN_ID_OFFSET = CHANNEL_ID_OFFSET + CHANNEL_ID_SIZE;

    /** Size of {@code open_id}. */
    public static final int OPEN_ID_SIZE = 4;

    /** Offset of {@code status}: NT status, negative = failure. */
    public static final int STATUS_OFFSET = OPEN_ID_OFFSET + OPEN_ID_SIZE;

    /** Size of {@code status}. */
    public static final int STATUS_SIZE = 4;

    /** Size of the structure. */
    public static final int SIZE = STATUS_OFFSET + STATUS_SIZE;

    private OpenResultLayout() {}
}
