package io.jvmbus.protocol.message.layout;

/**
 * Layout of the 8-byte header that starts every VMBus channel message (Linux struct vmbus_channel_message_header).
 * Messages with no body (REQUEST_OFFERS, ALL_OFFERS_DELIVERED, UNLOAD, UNLOAD_COMPLETE, PAUSE, PAUSE_RESPONSE,
 * RESUME) are just this header.
 *
 * <pre>
 *   offset size
 *        0      +----------------------------------------------+
 *             4 | message_type u32                             |
 *        4      +----------------------------------------------+
 *             4 | padding u32                                  |
 *        8      +----------------------------------------------+
 * </pre>
 *
 * <p>All integers are little-endian.
 *
 * <p>Publication: the whole structure travels as one SynIC message payload; the sender fills every byte (padding
 * and reserved bytes as zero) before posting it, and no field changes after that.
 */
public final class ChannelMessageHeaderLayout {

    /** Offset of {@code message_type}: the message number. */
    public static final int MESSAGE_TYPE_OFFSET = 0;

    /** Size of {@code message_type}. */
    public static final int MESSAGE_TYPE_SIZE = 4;

    /** Offset of {@code padding}: written as zero, ignored on receive. */
    public static final int PADDING_OFFSET = MESSAGE_TYPE_OFFSET + MESSAGE_TYPE_SIZE;

    /** Size of {@code padding}. */
    public static final int PADDING_SIZE = 4;

    /** Size of the structure. */
    public static final int SIZE = PADDING_OFFSET + PADDING_SIZE;

    /** The largest channel message: the whole SynIC payload. */
    public static final int MAX_MESSAGE_SIZE = 240;

    private ChannelMessageHeaderLayout() {}
}
