package io.jvmbus.protocol.message.layout;

/**
 * Layout of MODIFY_CONNECTION_RESPONSE (message 26): the host answers a MODIFY_CONNECTION. Its size, 9, is not a
 * multiple of 4. Linux has no such struct. Offsets are absolute from the start of the message, header included.
 *
 * <pre>
 *   offset size
 *        0      +----------------------------------------------+
 *             8 | header                                       |
 *        8      +----------------------------------------------+
 *             1 | connection_state u8                          |
 *        9      +----------------------------------------------+
 * </pre>
 *
 * <p>Publication: the whole structure travels as one SynIC message payload; the sender fills every byte (padding
 * and reserved bytes as zero) before posting it, and no field changes after that.
 */
public final class ModifyConnectionResponseLayout {

    /** Offset of {@code header}: the channel message header (message_type u32, padding u32). */
    public static final int HEADER_OFFSET = 0;

    /** Size of {@code header}. */
    public static final int HEADER_SIZE = ChannelMessageHeaderLayout.SIZE;

    /** Offset of {@code connection_state}: ConnectionState code. */
    public static final int CONNECTION_STATE_OFFSET = HEADER_OFFSET + HEADER_SIZE;

    /** Size of {@code connection_state}. */
    public static final int CONNECTION_STATE_SIZE = 1;

    /** Size of the structure. */
    public static final int SIZE = CONNECTION_STATE_OFFSET + CONNECTION_STATE_SIZE;

    private ModifyConnectionResponseLayout() {}
}
