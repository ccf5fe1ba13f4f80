package io.jvmbus.protocol.transport;

/**
 * DELIVER_MESSAGE (0x4001), server to VMM: put a SynIC message into the guest's slot for a vp and sint.
 *
 * <pre>
 *  0               4               8       9       10      12              16              20
 * +---------------+---------------+-------+-------+-------+---------------+---------------+-----------------+
 * | sequence (u32)| vp_index (u32)| sint  | vtl   | rsvd  | message_type  | payload_size  | payload         |
 * |               |               | (u8)  | (u8)  | (u16) | (u32)         | (u32)         | (<= 240 bytes)  |
 * +---------------+---------------+-------+-------+-------+---------------+---------------+-----------------+
 * </pre>
 *
 * <p>Publication rule: at most one is outstanding per session; the next goes out only after the DELIVER_RESULT with
 * the same {@code sequence}. A busy result keeps the message, and everything behind it, for a resend.
 */
public final class DeliverMessageLayout {

    /** Offset of {@code sequence}, u32. */
    public static final int SEQUENCE_OFFSET = 0;
    /** Offset of {@code vp_index}, u32. */
    public static final int VP_INDEX_OFFSET = SEQUENCE_OFFSET + Integer.BYTES;
    /** Offset of {@code sint}, u8. */
    public static final int SINT_OFFSET = VP_INDEX_OFFSET + Integer.BYTES;
    /** Offset of {@code vtl}, u8. */
    public static final int VTL_OFFSET = SINT_OFFSET + Byte.BYTES;
    /** Offset of the reserved u16. */
    public static final int RESERVED_OFFSET = VTL_OFFSET + Byte.BYTES;
    /** Offset of {@code message_type}, u32. */
    public static final int MESSAGE_TYPE_OFFSET = RESERVED_OFFSET + Short.BYTES;
    /** Offset of {@code payload_size}, u32. */
    public static final int PAYLOAD_SIZE_OFFSET = MESSAGE_TYPE_OFFSET + Integer.BYTES;
    /** Offset of the payload. */
    public static final int PAYLOAD_OFFSET = PAYLOAD_SIZE_OFFSET + Integer.BYTES;
    /** The largest payload. */
    public static final int MAX_PAYLOAD = 240;
    /** The largest body. */
    public static final int MAX_SIZE = PAYLOAD_OFFSET + MAX_PAYLOAD;

    private DeliverMessageLayout() {}
}
