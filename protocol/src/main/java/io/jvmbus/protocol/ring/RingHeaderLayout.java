package io.jvmbus.protocol.ring;

/**
 * The control page of one ring ({@code struct hv_ring_buffer}): one 4096-byte page in front of the ring's data area.
 * A channel has two rings in one GPADL: guest&rarr;host first, then host&rarr;guest from page
 * {@code downstream_ringbuffer_pageoffset}. All fields are little-endian u32.
 *
 * <pre>
 *   0               4               8               12              16
 *   +---------------+---------------+---------------+---------------+
 *   |  write_index  |  read_index   |interrupt_mask |pending_send_sz|
 *   +---------------+---------------+---------------+---------------+
 *   16                                                              64
 *   +---------------------------------------------------------------+
 *   |                     reserved1 (48 bytes)                      |
 *   +---------------+-----------------------------------------------+
 *   64              68                                           4096
 *   | feature_bits  |              reserved2 (4028 bytes)           |
 *   +---------------+-----------------------------------------------+
 *   4096: data area, (pages - 1) * 4096 bytes
 * </pre>
 *
 * <p><b>Who writes what.</b> The producer of the ring writes {@code write_index} and {@code pending_send_sz}; the
 * consumer writes {@code read_index} and {@code interrupt_mask}. Linux writes {@code feature_bits = 1} on both of its
 * rings at open. The indices are byte offsets into the data area, always multiples of 8 and below the data size.
 *
 * <p><b>Publication rule.</b> The producer writes a whole packet (descriptor, payload, padding, trailer) and only
 * then stores {@code write_index} with release semantics; the consumer loads {@code write_index} with acquire
 * semantics before it reads any packet byte. Symmetrically the consumer stores {@code read_index} (release) only
 * after it has finished reading the packets it releases, and the producer loads it (acquire) before it overwrites
 * that space. Each index is one aligned 32-bit store, so it is never seen torn. Signalling needs a full fence
 * between a store of one's own field and the load of the peer's field ({@code write_index} then
 * {@code interrupt_mask}; {@code read_index} then {@code pending_send_sz}), as Linux's {@code virt_mb()} does.
 */
public final class RingHeaderLayout {

    /** Offset of write_index (u32): where the producer writes the next packet. */
    public static final int WRITE_INDEX_OFFSET = 0;
    /** Size of write_index. */
    public static final int WRITE_INDEX_SIZE = 4;
    /** Offset of read_index (u32): where the consumer reads the next packet. */
    public static final int READ_INDEX_OFFSET = WRITE_INDEX_OFFSET + WRITE_INDEX_SIZE;
    /** Size of read_index. */
    public static final int READ_INDEX_SIZE = 4;
    /** Offset of interrupt_mask (u32): non-zero means the consumer asks not to be signalled. */
    public static final int INTERRUPT_MASK_OFFSET = READ_INDEX_OFFSET + READ_INDEX_SIZE;
    /** Size of interrupt_mask. */
    public static final int INTERRUPT_MASK_SIZE = 4;
    /** Offset of pending_send_sz (u32): bytes of free space the producer waits for (0 = not waiting). */
    public static final int PENDING_SEND_SIZE_OFFSET = INTERRUPT_MASK_OFFSET + INTERRUPT_MASK_SIZE;
    /** Size of pending_send_sz. */
    public static final int PENDING_SEND_SIZE_SIZE = 4;
    /** Offset of reserved1 (48 bytes). */
    public static final int RESERVED1_OFFSET = PENDING_SEND_SIZE_OFFSET + PENDING_SEND_SIZE_SIZE;
    /** Size of reserved1. */
    public static final int RESERVED1_SIZE = 48;
    /** Offset of feature_bits (u32). */
    public static final int FEATURE_BITS_OFFSET = RESERVED1_OFFSET + RESERVED1_SIZE;
    /** Size of feature_bits. */
    public static final int FEATURE_BITS_SIZE = 4;
    /** Offset of reserved2 (the rest of the page). */
    public static final int RESERVED2_OFFSET = FEATURE_BITS_OFFSET + FEATURE_BITS_SIZE;
    /** Size of the control page; the data area starts here. */
    public static final int SIZE = 4096;
    /** Size of reserved2. */
    public static final int RESERVED2_SIZE = SIZE - RESERVED2_OFFSET;
    /** Offset of the data area from the start of the control page. */
    public static final int DATA_OFFSET = SIZE;

    /** feature_bits bit 0 ({@code feat_pending_send_sz}): the producer honours pending_send_sz signalling. */
    public static final int FEATURE_PENDING_SEND_SIZE = 1;

    /** Alignment of both indices and of every packet in the data area. */
    public static final int INDEX_ALIGNMENT = 8;

    private RingHeaderLayout() {}
}
