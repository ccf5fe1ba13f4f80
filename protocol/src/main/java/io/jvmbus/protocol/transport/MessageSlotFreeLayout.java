package io.jvmbus.protocol.transport;

/**
 * MESSAGE_SLOT_FREE (0x0004), VMM to server: the guest freed the SynIC message slot of a SINT (EOM). No answer.
 *
 * <pre>
 *  0               4       5                       8
 * +---------------+-------+-----------------------+
 * | vp_index (u32)| sint  | reserved (3 bytes, 0) |
 * |               | (u8)  |                       |
 * +---------------+-------+-----------------------+
 * </pre>
 *
 * <p>Publication rule: exactly {@link #SIZE} bytes; it follows the busy DELIVER_RESULT it frees, and is ignored when
 * nothing waits for that slot.
 */
public final class MessageSlotFreeLayout {

    /** Offset of {@code vp_index}, u32. */
    public static final int VP_INDEX_OFFSET = 0;
    /** Offset of {@code sint}, u8. */
    public static final int SINT_OFFSET = VP_INDEX_OFFSET + Integer.BYTES;
    /** Offset of the three reserved bytes. */
    public static final int RESERVED_OFFSET = SINT_OFFSET + Byte.BYTES;
    /** Body size. */
    public static final int SIZE = RESERVED_OFFSET + 3;

    private MessageSlotFreeLayout() {}
}
