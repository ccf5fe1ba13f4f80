package io.jvmbus.protocol.message.layout;

/**
 * Layout of OPEN_CHANNEL in its 148-byte form (OpenChannel) (message 5, Linux struct vmbus_channel_open_channel):
 * the guest opens a channel. The 156-byte form is {@link OpenChannel2Layout}. Offsets are absolute from the start
 * of the message, header included.
 *
 * <pre>
 *   offset size
 *        0      +----------------------------------------------+
 *             8 | header                                       |
 *        8      +----------------------------------------------+
 *             4 | channel_id u32                               |
 *       12      +----------------------------------------------+
 *             4 | open_id u32                                  |
 *       16      +----------------------------------------------+
 *             4 | ring_buffer_gpadl_id u32                     |
 *       20      +----------------------------------------------+
 *             4 | target_vp u32                                |
 *       24      +----------------------------------------------+
 *             4 | downstream_ring_buffer_page_offset u32       |
 *       28      +----------------------------------------------+
 *           120 | user_data                                    |
 *      148      +----------------------------------------------+
 * </pre>
 *
 * <p>Publication: the whole structure travels as one SynIC message payload; the sender fills every byte (padding
 * and reserved bytes as zero) before posting it, and no field changes after that.
 */
public final class OpenChannelLayout {

    /** Offset of {@code header}: the channel message header (message_type u32, padding u32). */
    public static final int HEADER_OFFSET = 0;

    /** Size of {@code header}. */
    public static final int HEADER_SIZE = ChannelMessageHeaderLayout.SIZE;

    /** Offset of {@code channel_id}: the channel (Linux child_relid). */
    public static final int CHANNEL_ID_OFFSET = HEADER_OFFSET + HEADER_SIZE;

    /** Size of {@code channel_id}. */
    public static final int CHANNEL_ID_SIZE = 4;

    /** Offset of {@code open_id}: opaque cookie echoed in OPEN_CHANNEL_RESULT. */
    public static final int OPEN_ID_OFFSET = CHANNEL_ID_OFFSET + CHANNEL_ID_SIZE;

    /** Size of {@code open_id}. */
    public static final int OPEN_ID_SIZE = 4;

    /** Offset of {@code ring_buffer_gpadl_id}: GPADL holding both rings. */
    public static final int RING_BUFFER_GPADL_ID_OFFSET = OPEN_ID_OFFSET + OPEN_ID_SIZE;

    /** Size of {@code ring_buffer_gpadl_id}. */
    public static final int RING_BUFFER_GPADL_ID_SIZE = 4;

    /** Offset of {@code target_vp}: VP for host-to-guest interrupts, 0xFFFFFFFF disables them. */
    public static final int TARGET_VP_OFFSET = RING_BUFFER_GPADL_ID_OFFSET + RING_BUFFER_GPADL_ID_SIZE;

    /** Size of {@code target_vp}. */
    public static final int TARGET_VP_SIZE = 4;

    /** Offset of {@code downstream_ring_buffer_page_offset}: first page of the host-to-guest ring inside the GPADL. */
    public static final int DOWNSTREAM_RING_BUFFER_PAGE_OFFSET_OFFSET = TARGET_VP_OFFSET + TARGET_VP_SIZE;

    /** Size of {@code downstream_ring_buffer_page_offset}. */
    public static final int DOWNSTREAM_RING_BUFFER_PAGE_OFFSET_SIZE = 4;

    /** Offset of {@code user_data}: opaque, passed to the device. */
    public static final int USER_DATA_OFFSET =
            DOWNSTREAM_RING_BUFFER_PAGE_OFFSET_OFFSET + DOWNSTREAM_RING_BUFFER_PAGE_OFFSET_SIZE;

    /** Size of {@code user_data}. */
    public static final int USER_DATA_SIZE = 120;

    /** Size of the structure. */
    public static final int SIZE = USER_DATA_OFFSET + USER_DATA_SIZE;

    private OpenChannelLayout() {}
}
