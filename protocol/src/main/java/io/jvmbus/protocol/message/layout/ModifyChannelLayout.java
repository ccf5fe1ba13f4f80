package io.jvmbus.protocol.message.layout;

/**
 * Layout of MODIFY_CHANNEL (message 22, Linux struct vmbus_channel_modifychannel): the guest retargets a channel's
 * interrupt VP. Offsets are absolute from the start of the message, header included.
 *
 * <pre>
 *   offset size
 *        0      +----------------------------------------------+
 *             8 | header                                       |
 *        8      +----------------------------------------------+
 *             4 | channel_id u32                               |
 *       12      +----------------------------------------------+
 *             4 | target_vp u32                                |
 *       16      +----------------------------------------------+
 * </pre>
 *
 * <p>Publication: the whole structure travels as one SynIC message payload; the sender fills every byte (padding
 * and reserved bytes as zero) before posting it, and no field changes after that.
 */
public final class ModifyChannelLayout {

    /** Offset of {@code header}: the channel message header (message_type u32, padding u32). */
    public static final int HEADER_OFFSET = 0;

    /** Size of {@code header}. */
    public static final int HEADER_SIZE = ChannelMessageHeaderLayout.SIZE;

    /** Offset of {@code channel_id}: the channel (Linux child_relid). */
    public static final int CHANNEL_ID_OFFSET = HEADER_OFFSET + HEADER_SIZE;

    /** Size of {@code channel_id}. */
    public static final int CHANNEL_ID_SIZE = 4;

    /** Offset of {@code target_vp}: the new VP. */
    public static final int TARGET_VP_OFFSET = CHANNEL_ID_OFFSET + CHANNEL_ID_SIZE;

    /** Size of {@code target_vp}. */
    public static final int TARGET_VP_SIZE = 4;

    /** Size of the structure. */
    public static final int SIZE = TARGET_VP_OFFSET + TARGET_VP_SIZE;

    private ModifyChannelLayout() {}
}
