package io.jvmbus.protocol.message.layout;

/**
 * Layout of Linux's legacy struct vmbus_channel_query_vmbus_version. It has no message number in the protocol this
 * project speaks and is never encoded or decoded; it is kept so that every Linux channel-message struct has a
 * layout checked against the kernel's offsets.
 *
 * <pre>
 *   offset size
 *        0      +----------------------------------------------+
 *             8 | header                                       |
 *        8      +----------------------------------------------+
 *             4 | version u32                                  |
 *       12      +----------------------------------------------+
 * </pre>
 *
 * <p>Publication: the whole structure travels as one SynIC message payload; the sender fills every byte (padding
 * and reserved bytes as zero) before posting it, and no field changes after that.
 */
public final class QueryVmbusVersionLayout {

    /** Offset of {@code header}: the channel message header (message_type u32, padding u32). */
    public static final int HEADER_OFFSET = 0;

    /** Size of {@code header}. */
    public static final int HEADER_SIZE = ChannelMessageHeaderLayout.SIZE;

    /** Offset of {@code version}: a version number. */
    public static final int VERSION_OFFSET = HEADER_OFFSET + HEADER_SIZE;

    /** Size of {@code version}. */
    public static final int VERSION_SIZE = 4;

    /** Size of the structure. */
    public static final int SIZE = VERSION_OFFSET + VERSION_SIZE;

    private QueryVmbusVersionLayout() {}
}
