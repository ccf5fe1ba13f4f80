package io.jvmbus.protocol.ring;

/**
 * One GPA range ({@code struct gpa_range}) as it appears in GPA-direct packets and GPADL messages: a byte count and
 * an offset into the first page, then the guest page numbers. Little-endian.
 *
 * <pre>
 *   0               4               8
 *   +---------------+---------------+
 *   | byte_count u32|byte_offset u32|   seen as one u64: byte_offset &lt;&lt; 32 | byte_count
 *   +---------------+---------------+
 *   8 + 8*i: pfn_array[i] u64, i &lt; ceil((byte_offset + byte_count) / 4096)
 * </pre>
 *
 * <p>Validation (non-zero count, offset below a page, enough page numbers) belongs to the parser of the encoding,
 * {@code io.jvmbus.protocol.GpaRanges}. Published with the packet or message that carries it.
 */
public final class GpaRangeLayout {

    /** Offset of byte_count (u32). */
    public static final int BYTE_COUNT_OFFSET = 0;
    /** Size of byte_count. */
    public static final int BYTE_COUNT_SIZE = 4;
    /** Offset of byte_offset (u32). */
    public static final int BYTE_OFFSET_OFFSET = BYTE_COUNT_OFFSET + BYTE_COUNT_SIZE;
    /** Size of byte_offset. */
    public static final int BYTE_OFFSET_SIZE = 4;
    /** Offset of the page-number array. */
    public static final int PFN_ARRAY_OFFSET = BYTE_OFFSET_OFFSET + BYTE_OFFSET_SIZE;
    /** Size of the fixed part. */
    public static final int SIZE = PFN_ARRAY_OFFSET;
    /** Size of one page number. */
    public static final int PFN_SIZE = 8;

    private GpaRangeLayout() {}
}
