package io.jvmbus.protocol.message.layout;

/**
 * Layout of one GPA range (Linux struct gpa_range): a u64 header split into byte_count (low 32 bits) and
 * byte_offset (high 32 bits), followed by ceil((byte_offset + byte_count) / 4096) u64 page numbers. Ranges follow
 * each other without padding in GPADL_HEADER/GPADL_BODY data and GPA-direct packets. Offsets are relative to the
 * start of the range.
 *
 * <pre>
 *   offset size
 *        0      +----------------------------------------------+
 *             4 | byte_count u32                               |
 *        4      +----------------------------------------------+
 *             4 | byte_offset u32                              |
 *        8      +----------------------------------------------+
 *           ... | pfn_array u64[] (flex)                       |
 * </pre>
 *
 * <p>Publication: range data is written completely by the guest before the message or packet carrying it is
 * posted; the host validates it ({@link io.jvmbus.protocol.GpaRanges}) before using any page number.
 */
public final class GpaRangeLayout {

    /** Offset of {@code byte_count}: length in bytes, non-zero. */
    public static final int BYTE_COUNT_OFFSET = 0;

    /** Size of {@code byte_count}. */
    public static final int BYTE_COUNT_SIZE = 4;

    /** Offset of {@code byte_offset}: offset into the first page, at most 0xFFF. */
    public static final int BYTE_OFFSET_OFFSET = BYTE_COUNT_OFFSET + BYTE_COUNT_SIZE;

    /** Size of {@code byte_offset}. */
    public static final int BYTE_OFFSET_SIZE = 4;

    /** Size of the structure. */
    public static final int SIZE = BYTE_OFFSET_OFFSET + BYTE_OFFSET_SIZE;

    /** Offset of the page numbers (Linux pfn_array): right after the header. */
    public static final int PFN_ARRAY_OFFSET = SIZE;
    /** Size of one page number. */
    public static final int PFN_SIZE = 8;
    /** Shift that extracts byte_offset from the header word read as one little-endian u64. */
    public static final int BYTE_OFFSET_SHIFT = BYTE_OFFSET_OFFSET * Byte.SIZE;

    private GpaRangeLayout() {}
}
