package io.jvmbus.protocol.synic;

/**
 * Layout of the 16-byte hypervisor header of a SynIC message (Linux struct hv_message_header). Offsets are
 * relative to the start of the 256-byte message slot.
 *
 * <pre>
 *   offset size
 *        0      +----------------------------------------------+
 *             4 | message_type u32                             |
 *        4      +----------------------------------------------+
 *             1 | payload_size u8                              |
 *        5      +----------------------------------------------+
 *             1 | message_flags u8                             |
 *        6      +----------------------------------------------+
 *             2 | reserved u16                                 |
 *        8      +----------------------------------------------+
 *             8 | sender u64                                   |
 *       16      +----------------------------------------------+
 * </pre>
 *
 * <p>Publication: the host may write a message-page slot only while its message_type is HVMSG_NONE (0); it writes
 * the payload and the other header fields first and message_type last, then asserts the SINT. The guest frees the
 * slot by setting message_type back to HVMSG_NONE and writes the EOM register only if msg_pending was set.
 */
public final class SynicMessageHeaderLayout {

    /** Offset of {@code message_type}: HVMSG_NONE (0) = slot free; 1 = VMBus channel message. */
    public static final int MESSAGE_TYPE_OFFSET = 0;

    /** Size of {@code message_type}. */
    public static final int MESSAGE_TYPE_SIZE = 4;

    /** Offset of {@code payload_size}: payload bytes used, at most 240. */
    public static final int PAYLOAD_SIZE_OFFSET = MESSAGE_TYPE_OFFSET + MESSAGE_TYPE_SIZE;

    /** Size of {@code payload_size}. */
    public static final int PAYLOAD_SIZE_SIZE = 1;

    /** Offset of {@code message_flags}: bit 0 msg_pending (Linux union hv_message_flags). */
    public static final int MESSAGE_FLAGS_OFFSET = PAYLOAD_SIZE_OFFSET + PAYLOAD_SIZE_SIZE;

    /** Size of {@code message_flags}. */
    public static final int MESSAGE_FLAGS_SIZE = 1;

    /** Offset of {@code reserved}: zero. */
    public static final int RESERVED_OFFSET = MESSAGE_FLAGS_OFFSET + MESSAGE_FLAGS_SIZE;

    /** Size of {@code reserved}. */
    public static final int RESERVED_SIZE = 2;

    /** Offset of {@code sender}: sender; its low 32 bits are the port (Linux union with port u32). */
    public static final int SENDER_OFFSET = RESERVED_OFFSET + RESERVED_SIZE;

    /** Size of {@code sender}. */
    public static final int SENDER_SIZE = 8;

    /** Size of the structure. */
    public static final int SIZE = SENDER_OFFSET + SENDER_SIZE;

    /** Offset of {@code port} (Linux: union member of sender; a 24-bit port id in a u32). */
    public static final int PORT_OFFSET = SENDER_OFFSET;
    /** Size of {@code port}. */
    public static final int PORT_SIZE = 4;
    /** message_flags bit 0: another message is queued for this slot; the guest must write EOM after freeing it. */
    public static final int MESSAGE_FLAG_MSG_PENDING = 0x01;
    /** The id bits of a port id or connection id (Linux unions hv_port_id and hv_connection_id: bits 0-23). */
    public static final int ID_MASK = 0x00FF_FFFF;
    /** message_type of a free slot (HVMSG_NONE). */
    public static final int HVMSG_NONE = 0;
    /** message_type of VMBus channel messages. */
    public static final int HVMSG_VMBUS = 1;
    /** message_type of a synthetic timer expiry (HVMSG_TIMER_EXPIRED; shares SINT 2 in Linux). */
    public static final int HVMSG_TIMER_EXPIRED = 0x80000010;

    private SynicMessageHeaderLayout() {}
}
