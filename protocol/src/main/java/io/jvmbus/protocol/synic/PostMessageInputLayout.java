package io.jvmbus.protocol.synic;

/**
 * Layout of the 256-byte input of the HvPostMessage hypercall (Linux struct hv_input_post_message), with which the
 * guest posts a channel message to the host.
 *
 * <pre>
 *   offset size
 *        0      +----------------------------------------------+
 *             4 | connectionid u32                             |
 *        4      +----------------------------------------------+
 *             4 | reserved u32                                 |
 *        8      +----------------------------------------------+
 *             4 | message_type u32                             |
 *       12      +----------------------------------------------+
 *             4 | payload_size u32                             |
 *       16      +----------------------------------------------+
 *           240 | payload[240]                                 |
 *      256      +----------------------------------------------+
 * </pre>
 *
 * <p>Publication: the guest passes this block as the input page of the HvPostMessage hypercall; the hypervisor
 * reads it once, after the call is made.
 */
public final class PostMessageInputLayout {

    /** Offset of {@code connectionid}: the message connection id (24-bit id). */
    public static final int CONNECTION_ID_OFFSET = 0;

    /** Size of {@code connectionid}. */
    public static final int CONNECTION_ID_SIZE = 4;

    /** Offset of {@code reserved}: zero. */
    public static final int RESERVED_OFFSET = CONNECTION_ID_OFFSET + CONNECTION_ID_SIZE;

    /** Size of {@code reserved}. */
    public static final int RESERVED_SIZE = 4;

    /** Offset of {@code message_type}: 1 for VMBus channel messages. */
    public static final int MESSAGE_TYPE_OFFSET = RESERVED_OFFSET + RESERVED_SIZE;

    /** Size of {@code message_type}. */
    public static final int MESSAGE_TYPE_SIZE = 4;

    /** Offset of {@code payload_size}: payload bytes, at most 240. */
    public static final int PAYLOAD_SIZE_OFFSET = MESSAGE_TYPE_OFFSET + MESSAGE_TYPE_SIZE;

    /** Size of {@code payload_size}. */
    public static final int PAYLOAD_SIZE_SIZE = 4;

    /** Offset of {@code payload[240]}: the channel message. */
    public static final int PAYLOAD_OFFSET = PAYLOAD_SIZE_OFFSET + PAYLOAD_SIZE_SIZE;

    /** Size of {@code payload[240]}. */
    public static final int PAYLOAD_SIZE = 240;

    /** Size of the structure. */
    public static final int SIZE = PAYLOAD_OFFSET + PAYLOAD_SIZE;

    private PostMessageInputLayout() {}
}
