package io.jvmbus.protocol;

/**
 * Why a GPA range list did not validate. Names the failing range, the word it starts at and the offending value.
 *
 * @param kind the class of error (the reference's {@code gparange::Error} variants)
 * @param rangeIndex 0-based index of the failing range among the {@code count} ranges requested
 * @param wordIndex index of the failing range's header word in the word sequence (for {@link Kind#EMPTY_RANGE}:
 *     the index where the header was expected, equal to the number of words)
 * @param header the failing range's header word, or 0 for {@link Kind#EMPTY_RANGE}
 * @param pagesNeeded page numbers the range needs (only for {@link Kind#RANGE_TOO_SMALL}; else -1)
 * @param pagesPresent page numbers that were left (only for {@link Kind#RANGE_TOO_SMALL}; else -1)
 */
public record GpaRangeError(
        Kind kind, int rangeIndex, int wordIndex, long header, long pagesNeeded, long pagesPresent) {

    /** Classes of range errors, in the order the validator checks them. */
    public enum Kind {
        /** No header word left for a range that {@code count} says exists (reference: EmptyRange). */
        EMPTY_RANGE,
        /** A range header with byte_count 0 (reference: EmptyByteCount). */
        EMPTY_BYTE_COUNT,
        /** A byte_offset above 0xFFF (reference: OffsetTooLarge). */
        OFFSET_TOO_LARGE,
        /** byte_count + byte_offset + 4095 does not fit a u32 (reference: Overflow). */
        OVERFLOW,
        /** Fewer page numbers left than the range spans (reference: RangeTooSmall). */
        RANGE_TOO_SMALL
    }

    /**
     * A readable description naming the values and the expectation.
     *
     * @return the description
     */
    public String describe() {
        final long byteCount = header & 0xFFFF_FFFFL;
        final long byteOffset = header >>> 32;
        final String where = "gpa range " + rangeIndex + " at word " + wordIndex;
        return switch (kind) {
            case EMPTY_RANGE -> where + ": no header word left (expected: a range header)";
            case EMPTY_BYTE_COUNT -> where + ": byte_count=0 (expected: > 0)";
            case OFFSET_TOO_LARGE ->
                where + ": byte_offset=0x" + Long.toHexString(byteOffset) + " (expected: <= 0xfff)";
            case OVERFLOW ->
                where + ": byte_offset=" + byteOffset + " byte_count=" + byteCount
                        + " (expected: byte_offset + byte_count + 4095 <= 0xffffffff)";
            case RANGE_TOO_SMALL ->
                where + ": page numbers=" + pagesPresent + " (expected: >= " + pagesNeeded + " for byte_offset="
                        + byteOffset + " byte_count=" + byteCount + ")";
        };
    }

    @Override
    public String toString() {
        return describe();
    }
}
