package io.jvmbus.protocol.transport;

/**
 * SIGNAL_GUEST (0x4002), server to VMM: set a bit in a SINT's event flags and raise the interrupt.
 *
 * <pre>
 *  0               4       5       6       8
 * +---------------+-------+-------+-------+
 * | vp_index (u32)| sint  | vtl   | event |
 * |               | (u8)  | (u8)  | flag  |
 * +---------------+-------+-------+-------+
 * </pre>
 *
 * <p>Publication rule: sent after the ring write it announces is visible in guest memory (the writer published its
 * index first), to the channel's target VP on SINT 2.
 */
public final class SignalGuestLayout {

    /** Offset of {@code vp_index}, u32. */
    public static final int VP_INDEX_OFFSET = 0;
    /** Offset of {@code sint}, u8. */
    public static final int SINT_OFFSET = VP_INDEX_OFFSET + Integer.BYTES;
    /** Offset of {@code vtl}, u8. */
    public static final int VTL_OFFSET = SINT_OFFSET + Byte.BYTES;
    /** Offset of {@code event_flag}, u16. */
    public static final int EVENT_FLAG_OFFSET = VTL_OFFSET + Byte.BYTES;
    /** Body size. */
    public static final int SIZE = EVENT_FLAG_OFFSET + Short.BYTES;

    private SignalGuestLayout() {}
}
