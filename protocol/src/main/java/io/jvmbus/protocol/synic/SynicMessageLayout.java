package io.jvmbus.protocol.synic;

/**
 * Layout of one 256-byte SynIC message (Linux struct hv_message): the {@link SynicMessageHeaderLayout} header and
 * a 240-byte payload. A message page holds 16 of them, one per SINT. A VMBus channel message (header included) is
 * the payload.
 *
 * <pre>
 *   offset size
 *        0      +----------------------------------------------+
 *            16 | header (SynicMessageHeaderLayout)            |
 *       16      +----------------------------------------------+
 *           240 | payload[240]                                 |
 *      256      +----------------------------------------------+
 * </pre>
 *
 * <p>Publication: the host may write a message-page slot only while its message_type is HVMSG_NONE (0); it writes
 * the payload and the other header fields first and message_type last, then asserts the SINT. The guest frees the
 * slot by setting message_type back to HVMSG_NONE and writes the EOM register only if msg_pending was set.
 */
public final class SynicMessageLayout {

    /** Offset of {@code header (SynicMessageHeaderLayout)}: the hypervisor header. */
    public static final int HEADER_OFFSET = 0;

    /** Size of {@code header (SynicMessageHeaderLayout)}. */
    public static final int HEADER_SIZE = SynicMessageHeaderLayout.SIZE;

    /** Offset of {@code payload[240]}: the message body (Linux u.payload). */
    public static final int PAYLOAD_OFFSET = HEADER_OFFSET + HEADER_SIZE;

    /** Size of {@code payload[240]}. */
    public static final int PAYLOAD_SIZE = 240;

    /** Size of the structure. */
    public static final int SIZE = PAYLOAD_OFFSET + PAYLOAD_SIZE;

    /** Absolute offset of message_type. */
    public static final int MESSAGE_TYPE_OFFSET = HEADER_OFFSET + SynicMessageHeaderLayout.MESSAGE_TYPE_OFFSET;
    /** Absolute offset of payload_size. */
    public static final int PAYLOAD_SIZE_OFFSET = HEADER_OFFSET + SynicMessageHeaderLayout.PAYLOAD_SIZE_OFFSET;
    /** Absolute offset of message_flags. */
    public static final int MESSAGE_FLAGS_OFFSET = HEADER_OFFSET + SynicMessageHeaderLayout.MESSAGE_FLAGS_OFFSET;
    /** Absolute offset of sender (and of port). */
    public static final int SENDER_OFFSET = HEADER_OFFSET + SynicMessageHeaderLayout.SENDER_OFFSET;
    /** The largest payload (HV_MESSAGE_PAYLOAD_SIZE). */
    public static final int MAX_PAYLOAD_SIZE = PAYLOAD_SIZE;
    /** Number of message slots in one 4096-byte message page (one per SINT). */
    public static final int SLOTS_PER_PAGE = 16;

    private SynicMessageLayout() {}
}
