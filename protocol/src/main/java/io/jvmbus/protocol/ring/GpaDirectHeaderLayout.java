package io.jvmbus.protocol.ring;

/**
 * The header of a GPA-direct packet (type {@link PacketType#DATA_USING_GPA_DIRECT}, {@code struct
 * vmdata_gpa_direct}): the descriptor, then a count of GPA ranges ({@link GpaRangeLayout}) that name guest memory
 * directly. Offsets are from the start of the packet. Little-endian.
 *
 * <pre>
 *   0                               16              20              24
 *   +-------------------------------+---------------+---------------+
 *   |   descriptor (16 bytes)       | reserved u32  | range_cnt u32 |
 *   +-------------------------------+---------------+---------------+
 *   24: range_cnt GPA ranges, each 8 + 8 * pages bytes; then, up to offset8 * 8, nothing
 *   offset8 * 8: in-band payload, if any
 * </pre>
 *
 * <p>A valid packet has {@code offset8 >= 3} and {@code range_cnt != 0}; {@code offset8 * 8} is the size of the
 * descriptor area (descriptor, this header and the ranges). The reserved word may hold garbage and is ignored. Linux
 * sends these (storvsc, netvsc) with COMPLETION_REQUESTED. Published with the packet (see
 * {@link PacketDescriptorLayout}).
 */
public final class GpaDirectHeaderLayout {

    /** Offset of the reserved u32. */
    public static final int RESERVED_OFFSET = PacketDescriptorLayout.SIZE;
    /** Size of the reserved word. */
    public static final int RESERVED_SIZE = 4;
    /** Offset of range_cnt (u32). */
    public static final int RANGE_COUNT_OFFSET = RESERVED_OFFSET + RESERVED_SIZE;
    /** Size of range_cnt. */
    public static final int RANGE_COUNT_SIZE = 4;
    /** Offset of the first GPA range. */
    public static final int RANGES_OFFSET = RANGE_COUNT_OFFSET + RANGE_COUNT_SIZE;
    /** Size of the fixed part (descriptor through range_cnt). */
    public static final int SIZE = RANGES_OFFSET;

    private GpaDirectHeaderLayout() {}
}
