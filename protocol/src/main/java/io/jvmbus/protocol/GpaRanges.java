package io.jvmbus.protocol;

import io.jvmbus.protocol.ring.GpaRangeLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Parses and validates the GPA range encoding used by GPADL messages and GPA-direct packets.
 *
 * <p>The encoding ({@link GpaRangeLayout}) is a sequence of little-endian u64 words. Each range is one header word followed by its page
 * numbers:
 *
 * <pre>
 *  word 0        63            32 31             0
 *               +----------------+----------------+
 *               |  byte_offset   |   byte_count   |   header: offset into the first page, length in bytes
 *               +----------------+----------------+
 *  word 1..n    |        guest page number        |   n = ceil((byte_offset + byte_count) / 4096)
 *               +---------------------------------+
 *  word n+1     |  next range header ...          |
 * </pre>
 *
 * <p>Validation of {@code count} ranges follows the reference ({@code vmbus_ring::gparange::validate_gpa_ranges}),
 * checking each range in this order: a header word is present ({@link GpaRangeError.Kind#EMPTY_RANGE}), byte_count
 * is non-zero ({@link GpaRangeError.Kind#EMPTY_BYTE_COUNT}), byte_offset is at most 0xFFF ({@link
 * GpaRangeError.Kind#OFFSET_TOO_LARGE}), {@code byte_count + 4095 + byte_offset} fits a u32 ({@link
 * GpaRangeError.Kind#OVERFLOW}), and enough page numbers follow ({@link GpaRangeError.Kind#RANGE_TOO_SMALL}). Words
 * after the last range are tolerated; the result reports how many words the ranges used. A {@code count} of 0 is
 * valid and uses no words (callers that need at least one range check that themselves).
 *
 * <p>Bad input never throws: it yields {@link Invalid}. Memory is bounded by the input: every range consumes at least
 * two words, so at most {@code words / 2} ranges are ever built.
 */
public final class GpaRanges {

    /** Size of a guest page. */
    public static final int PAGE_SIZE = 4096;
    /** The largest legal byte_offset (an offset inside one page). */
    public static final int MAX_BYTE_OFFSET = PAGE_SIZE - 1;
    /** Size of one word of the encoding. */
    public static final int WORD_SIZE = GpaRangeLayout.PFN_SIZE;

    /** Shift that extracts byte_offset from a header word read as one little-endian u64. */
    private static final int BYTE_OFFSET_SHIFT = GpaRangeLayout.BYTE_OFFSET_OFFSET * Byte.SIZE;

    private GpaRanges() {}

    /** The outcome of parsing: the ranges, or a typed error. */
    public sealed interface Result {}

    /**
     * Every requested range was valid.
     *
     * @param ranges the ranges, in wire order (unmodifiable)
     * @param wordsUsed how many words the ranges occupied (trailing words are not counted)
     */
    public record Valid(List<GpaRange> ranges, int wordsUsed) implements Result {

        /**
         * Copies the list.
         *
         * @param ranges the ranges
         * @param wordsUsed words consumed
         */
        public Valid {
            ranges = List.copyOf(ranges);
        }
    }

    /**
     * A range was invalid.
     *
     * @param error the first error found
     */
    public record Invalid(GpaRangeError error) implements Result {

        /**
         * Checks the error is present.
         *
         * @param error the error
         */
        public Invalid {
            Objects.requireNonNull(error, "error");
        }
    }

    /**
     * Parses and validates {@code count} ranges from all of {@code words}.
     *
     * @param count number of ranges the message claims (the wire's u16 rangecount)
     * @param words the words
     * @return the ranges and words used, or the first error
     * @throws IllegalArgumentException if {@code count} is negative (a caller bug, not bad input)
     */
    public static Result parse(final int count, final long[] words) {
        return parse(count, words, 0, words.length);
    }

    /**
     * Parses and validates {@code count} ranges from the whole little-endian u64 words of a byte run (a trailing partial
     * word is ignored, as the reference uses {@code len / 8} words).
     *
     * @param count number of ranges
     * @param data the range data
     * @return the ranges and words used, or the first error
     * @throws IllegalArgumentException if {@code count} is negative
     */
    public static Result parse(final int count, final Blob data) {
        return parse(count, data.toLongs());
    }

    /**
     * Parses and validates {@code count} ranges from {@code words[from..to)}. Word indexes in errors are relative to
     * {@code from}.
     *
     * @param count number of ranges
     * @param words the words
     * @param from first word
     * @param to end (exclusive)
     * @return the ranges and words used, or the first error
     * @throws IllegalArgumentException if {@code count} is negative
     * @throws IndexOutOfBoundsException if {@code from..to} is not inside {@code words}
     */
    public static Result parse(final int count, final long[] words, final int from, final int to) {
        if (count < 0) {
            throw new IllegalArgumentException("count=" + count + " (expected: >= 0)");
        }
        Objects.checkFromToIndex(from, to, words.length);
        final int available = to - from;
        final List<GpaRange> ranges = new ArrayList<>(Math.min(count, available / 2));
        int pos = 0;
        for (int i = 0; i < count; i++) {
            if (pos >= available) {
                return new Invalid(new GpaRangeError(GpaRangeError.Kind.EMPTY_RANGE, i, pos, 0, -1, -1));
            }
            final long header = words[from + pos];
            final int byteCount = (int) header;
            final int byteOffset = (int) (header >>> BYTE_OFFSET_SHIFT);
            if (byteCount == 0) {
                return new Invalid(new GpaRangeError(GpaRangeError.Kind.EMPTY_BYTE_COUNT, i, pos, header, -1, -1));
            }
            if (Integer.compareUnsigned(byteOffset, MAX_BYTE_OFFSET) > 0) {
                return new Invalid(new GpaRangeError(GpaRangeError.Kind.OFFSET_TOO_LARGE, i, pos, header, -1, -1));
            }
            final long pages = pageCountOrMinus1(byteOffset, byteCount);
            if (pages < 0) {
                return new Invalid(new GpaRangeError(GpaRangeError.Kind.OVERFLOW, i, pos, header, -1, -1));
            }
            final int present = available - pos - 1;
            if (present < pages) {
                return new Invalid(
                        new GpaRangeError(GpaRangeError.Kind.RANGE_TOO_SMALL, i, pos, header, pages, present));
            }
            final long[] pageNumbers = new long[(int) pages];
            System.arraycopy(words, from + pos + 1, pageNumbers, 0, pageNumbers.length);
            ranges.add(new GpaRange(byteOffset, byteCount, pageNumbers));
            pos += 1 + pageNumbers.length;
        }
        return new Valid(ranges, pos);
    }

    /**
     * The number of pages a range spans.
     *
     * @param byteOffset offset into the first page, 0..0xFFF
     * @param byteCount length as an unsigned 32-bit value
     * @return {@code ceil((byteOffset + byteCount) / 4096)}
     * @throws IllegalArgumentException if the offset is out of range or the sum overflows a u32 as the wire defines it
     */
    public static int pageCount(final int byteOffset, final int byteCount) {
        if (byteOffset < 0 || byteOffset > MAX_BYTE_OFFSET) {
            throw new IllegalArgumentException("byteOffset=" + byteOffset + " (expected: 0..0xfff)");
        }
        final long pages = pageCountOrMinus1(byteOffset, byteCount);
        if (pages < 0) {
            throw new IllegalArgumentException("byteOffset=" + byteOffset + " byteCount="
                    + Integer.toUnsignedString(byteCount) + " (expected: byteOffset + byteCount + 4095 <= 0xffffffff)");
        }
        return (int) pages;
    }

    /**
     * The page count, or -1 if {@code byteCount + 4095 + byteOffset} overflows a u32 (the reference's check).
     * {@code byteOffset} must already be known to be at most 0xFFF.
     */
    static long pageCountOrMinus1(final int byteOffset, final int byteCount) {
        final long sum = Integer.toUnsignedLong(byteCount) + (PAGE_SIZE - 1) + Integer.toUnsignedLong(byteOffset);
        if (sum > 0xFFFF_FFFFL) {
            return -1;
        }
        return sum / PAGE_SIZE;
    }

    /**
     * The header word of a range.
     *
     * @param byteOffset offset into the first page (not checked)
     * @param byteCount length as an unsigned 32-bit value
     * @return {@code byteOffset << 32 | byteCount}
     */
    public static long header(final int byteOffset, final int byteCount) {
        return ((long) byteOffset << BYTE_OFFSET_SHIFT) | Integer.toUnsignedLong(byteCount);
    }

    /**
     * The number of words a list of ranges takes on the wire.
     *
     * @param ranges the ranges
     * @return the sum of {@link GpaRange#wordCount()}
     */
    public static int wordCount(final List<GpaRange> ranges) {
        int words = 0;
        for (final GpaRange r : ranges) {
            words = Math.addExact(words, r.wordCount());
        }
        return words;
    }

    /**
     * Encodes ranges into words.
     *
     * @param ranges the ranges
     * @return header and page numbers of every range, in order
     */
    public static long[] encode(final List<GpaRange> ranges) {
        final long[] words = new long[wordCount(ranges)];
        int pos = 0;
        for (final GpaRange r : ranges) {
            words[pos++] = r.header();
            for (int p = 0; p < r.pageCount(); p++) {
                words[pos++] = r.pageNumber(p);
            }
        }
        return words;
    }
}
