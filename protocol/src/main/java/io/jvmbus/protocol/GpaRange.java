package io.jvmbus.protocol;

import java.util.Arrays;
import java.util.Objects;

/**
 * One validated GPA range: {@code byteCount} bytes starting {@code byteOffset} bytes into the first of
 * {@code pageNumbers}. On the wire it is one u64 header (low 32 bits byte_count, high 32 bits byte_offset) followed by
 * the page numbers; see {@link GpaRanges}.
 *
 * <p>Values are checked on construction: {@code byteCount} is a non-zero u32, {@code byteOffset} is at most
 * {@link GpaRanges#MAX_BYTE_OFFSET}, their page-rounded sum does not overflow a u32, and {@code pageNumbers} holds
 * exactly {@link GpaRanges#pageCount(int, int)} entries.
 *
 * @param byteOffset offset into the first page, 0..0xFFF
 * @param byteCount length in bytes as an unsigned 32-bit value, non-zero
 * @param pageNumbers guest page numbers (GPA &gt;&gt; 12); the record holds a private copy
 */
public record GpaRange(int byteOffset, int byteCount, long[] pageNumbers) {

    /**
     * Checks and copies.
     *
     * @throws IllegalArgumentException naming the value and the expectation if the fields are inconsistent
     */
    public GpaRange {
        Objects.requireNonNull(pageNumbers, "pageNumbers");
        if (byteCount == 0) {
            throw new IllegalArgumentException("byteCount=0 (expected: != 0)");
        }
        if (byteOffset < 0 || byteOffset > GpaRanges.MAX_BYTE_OFFSET) {
            throw new IllegalArgumentException("byteOffset=" + byteOffset + " (expected: 0..0xfff)");
        }
        final long pages = GpaRanges.pageCountOrMinus1(byteOffset, byteCount);
        if (pages < 0) {
            throw new IllegalArgumentException("byteOffset=" + byteOffset + " byteCount="
                    + Integer.toUnsignedString(byteCount) + " (expected: byteOffset + byteCount + 4095 <= 0xffffffff)");
        }
        if (pageNumbers.length != pages) {
            throw new IllegalArgumentException(
                    "pageNumbers length=" + pageNumbers.length + " (expected: " + pages + ")");
        }
        pageNumbers = pageNumbers.clone();
    }

    /**
     * The page numbers.
     *
     * @return a copy
     */
    @Override
    public long[] pageNumbers() {
        return pageNumbers.clone();
    }

    /**
     * The number of pages the range spans.
     *
     * @return {@code pageNumbers().length}
     */
    public int pageCount() {
        return pageNumbers.length;
    }

    /**
     * One page number without copying.
     *
     * @param index 0-based page index
     * @return the page number
     */
    public long pageNumber(final int index) {
        return pageNumbers[index];
    }

    /**
     * The byte count as a non-negative long.
     *
     * @return {@code byteCount} read as unsigned
     */
    public long length() {
        return Integer.toUnsignedLong(byteCount);
    }

    /**
     * The wire header word of this range.
     *
     * @return {@code byteOffset << 32 | byteCount}
     */
    public long header() {
        return GpaRanges.header(byteOffset, byteCount);
    }

    /**
     * The number of u64 words this range takes on the wire.
     *
     * @return {@code 1 + pageCount()}
     */
    public int wordCount() {
        return 1 + pageNumbers.length;
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof GpaRange other
                && byteOffset == other.byteOffset
                && byteCount == other.byteCount
                && Arrays.equals(pageNumbers, other.pageNumbers);
    }

    @Override
    public int hashCode() {
        return (31 * byteOffset + byteCount) * 31 + Arrays.hashCode(pageNumbers);
    }

    @Override
    public String toString() {
        return "GpaRange[byteOffset=0x" + Integer.toHexString(byteOffset) + ", byteCount="
                + Integer.toUnsignedString(byteCount) + ", pages=" + Arrays.toString(pageNumbers) + "]";
    }
}
