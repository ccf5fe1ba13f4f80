package io.jvmbus.protocol.ring;

/**
 * The header of a transfer-page packet (type {@link PacketType#DATA_USING_TRANSFER_PAGES},
 * {@code struct vmtransfer_page_packet_header}): the descriptor, then the transfer page set and a list of ranges
 * inside it. Offsets are from the start of the packet. Little-endian.
 *
 * <pre>
 *   0                               16              18      19      20              24
 *   +-------------------------------+---------------+-------+-------+---------------+
 *   |   descriptor (16 bytes)       |xfer_pageset_id|sender_|reserv.|  range_cnt    |
 *   |                               |     u16       |owns u8|  u8   |     u32       |
 *   +-------------------------------+---------------+-------+-------+---------------+
 *   24 + 8*i: range i
 *   +---------------+---------------+
 *   | byte_count u32| byte_offset u32|
 *   +---------------+---------------+
 * </pre>
 *
 * <p>A valid packet has {@code offset8 >= 3} and its ranges inside the header area:
 * {@code 24 + 8 * range_cnt <= offset8 * 8}. Linux 6.1 declares {@code ranges[1]}, so its {@code sizeof} is 32; 6.12
 * uses a flexible array (24). The reserved byte may hold garbage and is ignored. Published with the packet (see
 * {@link PacketDescriptorLayout}); the host sends these (netvsc receive), Linux never does.
 */
public final class TransferPageHeaderLayout {

    /** Offset of xfer_pageset_id (u16). */
    public static final int TRANSFER_PAGE_SET_ID_OFFSET = PacketDescriptorLayout.SIZE;
    /** Size of xfer_pageset_id. */
    public static final int TRANSFER_PAGE_SET_ID_SIZE = 2;
    /** Offset of sender_owns_set (u8). */
    public static final int SENDER_OWNS_SET_OFFSET = TRANSFER_PAGE_SET_ID_OFFSET + TRANSFER_PAGE_SET_ID_SIZE;
    /** Size of sender_owns_set. */
    public static final int SENDER_OWNS_SET_SIZE = 1;
    /** Offset of the reserved byte. */
    public static final int RESERVED_OFFSET = SENDER_OWNS_SET_OFFSET + SENDER_OWNS_SET_SIZE;
    /** Size of the reserved byte. */
    public static final int RESERVED_SIZE = 1;
    /** Offset of range_cnt (u32). */
    public static final int RANGE_COUNT_OFFSET = RESERVED_OFFSET + RESERVED_SIZE;
    /** Size of range_cnt. */
    public static final int RANGE_COUNT_SIZE = 4;
    /** Offset of the first range. */
    public static final int RANGES_OFFSET = RANGE_COUNT_OFFSET + RANGE_COUNT_SIZE;
    /** Size of the fixed part (descriptor through range_cnt). */
    public static final int SIZE = RANGES_OFFSET;

    /** Offset of byte_count (u32) within a range ({@code struct vmtransfer_page_range}). */
    public static final int RANGE_BYTE_COUNT_OFFSET = 0;
    /** Size of a range's byte_count. */
    public static final int RANGE_BYTE_COUNT_SIZE = 4;
    /** Offset of byte_offset (u32) within a range. */
    public static final int RANGE_BYTE_OFFSET_OFFSET = RANGE_BYTE_COUNT_OFFSET + RANGE_BYTE_COUNT_SIZE;
    /** Size of a range's byte_offset. */
    public static final int RANGE_BYTE_OFFSET_SIZE = 4;
    /** Size of one range. */
    public static final int RANGE_SIZE = RANGE_BYTE_OFFSET_OFFSET + RANGE_BYTE_OFFSET_SIZE;

    private TransferPageHeaderLayout() {}
}
