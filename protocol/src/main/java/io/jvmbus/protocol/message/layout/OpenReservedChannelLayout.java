package io.jvmbus.protocol.message.layout;

/**
 * Layout of OPEN_RESERVED_CHANNEL (message 18): the guest opens a reserved channel. Linux has no such struct.
 * Offsets are absolute from the start of the message, header included.
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
 *             4 | target_sint u32                              |
 *       20      +----------------------------------------------+
 *             4 | ring_buffer_gpadl u32                        |
 *       24      +----------------------------------------------+
 *             4 | downstream_page_offset u32                   |
 *       28      +----------------------------------------------+
 * </pre>
 *
 * <p>Publication: the whole structure travels as one SynIC message payload; the sender fills every byte (padding
 * and reserved bytes as zero) before posting it, and no field changes after that.
 */
public final class OpenReservedChannelLayout {

    /** Offset of {@code header}: the channel message header (message_type u32, padding u32). */
    public static final int HEADER_OFFSET = 0;

    /** Size of {@code header}. */
    public static final int HEADER_SIZE = ChannelMessageHeaderLayout.SIZE;

    /** Offset of {@code channel_id}: the channel (Linux child_relid). */
    public static final int CHANNEL_ID_OFFSET = HEADER_OFFSET + HEADER_SIZE;

    /** Size of {@code channel_id}. */
    public static final int CHANNEL_ID_SIZE = 4;

    /** Offset of {@code target_vp}: VP for control messages about this channel. */
    public static final int TARGET_VP_OFFSET = CHANNEL_ID_OFFSET + CHANNEL_ID_SIZE;

    /** Size of {@code target_vp}. */
    public static final int TARGET_VP_SIZE = 4;

    /** Offset of {@code target_sint}: SINT for those messages (the server truncates it to u8). */
    public static final int TARGET_SINT_OFFSET = TARGET_VP_OFFSET + TARGET_VP_SIZE;

    /** Size of {@code target_sint}. */
    public static final int TARGET_SINT_SIZE = 4;

    /** Offset of {@code ring_buffer_gpadl}: GPADL holding both rings. */
    public static final int RING_BUFFER_GPADL_ID_OFFSET = TARGET_SINT_OFFSET + TARGET_SINT_SIZE;

    /** Size of {@code ring_buffer_gpadl}. */
    public static final int RING_BUFFER_GPADL_ID_SIZE = 4;

    /** Offset of {@code downstream_page_offset}: first page of the host-to-guest ring. */
    public static final int DOWNSTREAM_RING_BUFFER_PAGE_OFFSET_OFFSET =
            RING_BUFFER_GPADL_ID_OFFSET + RING_BUFFER_GPADL_ID_SIZE;

    /** Size of {@code downstream_page_offset}. */
    public static final int DOWNSTREAM_RING_BUFFER_PAGE_OFFSET_SIZE = 4;

    /** Size of the structure. */
    public static final int SIZE = DOWNSTREAM_RING_BUFFER_PAGE_OFFSET_OFFSET + DOWNSTREAM_RING_BUFFER_PAGE_OFFSET_SIZE;

    private OpenReservedChannelLayout() {}
}
