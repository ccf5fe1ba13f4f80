package io.jvmbus.protocol.transport;

/**
 * DELIVER_RESULT (0x0005), VMM to server: the answer to one DELIVER_MESSAGE. No answer.
 *
 * <pre>
 *  0               4       6       8
 * +---------------+-------+-------+
 * | sequence (u32)| status| rsvd  |
 * |               | (u16) | (u16) |
 * +---------------+-------+-------+
 * </pre>
 *
 * <p>Publication rule: exactly {@link #SIZE} bytes; {@code sequence} must be the outstanding DELIVER_MESSAGE's.
 * Status {@link #DELIVERED} frees the way for the next message; {@link #SLOT_BUSY} keeps the message for a resend
 * after the MESSAGE_SLOT_FREE of its vp and sint.
 */
public final class DeliverResultLayout {

    /** Offset of {@code sequence}, u32. */
    public static final int SEQUENCE_OFFSET = 0;
    /** Offset of {@code status}, u16. */
    public static final int STATUS_OFFSET = SEQUENCE_OFFSET + Integer.BYTES;
    /** Offset of the reserved u16. */
    public static final int RESERVED_OFFSET = STATUS_OFFSET + Short.BYTES;
    /** Body size. */
    public static final int SIZE = RESERVED_OFFSET + Short.BYTES;

    /** Status: the message is in the guest's slot. */
    public static final int DELIVERED = 0;
    /** Status: the slot was occupied; the message was not delivered. */
    public static final int SLOT_BUSY = 1;

    private DeliverResultLayout() {}
}
