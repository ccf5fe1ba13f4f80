package io.jvmbus.protocol.transport;

/**
 * SIGNAL_EVENT (0x0003), VMM to server: the guest executed HvSignalEvent. No answer.
 *
 * <pre>
 *  0               4       6       8
 * +---------------+-------+-------+
 * | connection_id | flag  | rsvd  |
 * | (u32)         | (u16) | (u16) |
 * +---------------+-------+-------+
 * </pre>
 *
 * <p>Publication rule: exactly {@link #SIZE} bytes; the signal is a hint that a ring changed, read the ring itself.
 */
public final class SignalEventLayout {

    /** Offset of {@code connection_id}, u32: the offer's connection id. */
    public static final int CONNECTION_ID_OFFSET = 0;
    /** Offset of {@code flag_number}, u16. */
    public static final int FLAG_NUMBER_OFFSET = CONNECTION_ID_OFFSET + Integer.BYTES;
    /** Offset of the reserved u16. */
    public static final int RESERVED_OFFSET = FLAG_NUMBER_OFFSET + Short.BYTES;
    /** Body size. */
    public static final int SIZE = RESERVED_OFFSET + Short.BYTES;

    private SignalEventLayout() {}
}
