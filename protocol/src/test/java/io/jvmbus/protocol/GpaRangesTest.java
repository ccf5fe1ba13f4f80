package io.jvmbus.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GpaRangesTest {

    /** Test-side header builder: low 32 bits byte_count, high 32 bits byte_offset. */
    private static long hdr(final long byteOffset, final long byteCount) {
        return (byteOffset << 32) | (byteCount & 0xFFFF_FFFFL);
    }

    private static GpaRangeError error(final GpaRanges.Result result) {
        assertThat(result).isInstanceOf(GpaRanges.Invalid.class);
        return ((GpaRanges.Invalid) result).error();
    }

    private static GpaRanges.Valid valid(final GpaRanges.Result result) {
        assertThat(result).isInstanceOf(GpaRanges.Valid.class);
        return (GpaRanges.Valid) result;
    }

    @Test
    void shouldParseOnePageAlignedRange() {
        final GpaRanges.Valid v = valid(GpaRanges.parse(1, new long[] {hdr(0, 8192), 100, 101}));
        assertThat(v.wordsUsed()).isEqualTo(3);
        assertThat(v.ranges()).containsExactly(new GpaRange(0, 8192, new long[] {100, 101}));
    }

    @Test
    void shouldCountPagesFromOffsetPlusLength() {
        // offset 0xFFF + 2 bytes crosses into a second page
        final GpaRanges.Valid v = valid(GpaRanges.parse(1, new long[] {hdr(0xFFF, 2), 7, 9}));
        assertThat(v.ranges().getFirst().pageCount()).isEqualTo(2);
        // offset 0x800 + 0x800 bytes ends exactly at the page end: one page
        final GpaRanges.Valid w = valid(GpaRanges.parse(1, new long[] {hdr(0x800, 0x800), 7, 9}));
        assertThat(w.ranges().getFirst().pageCount()).isEqualTo(1);
        assertThat(w.wordsUsed()).isEqualTo(2);
    }

    @Test
    void shouldParseSeveralRangesAndTolerateTrailingWords() {
        final long[] words = {hdr(0x10, 1), 5, hdr(0, 4097), 6, 7, 0xDEAD, 0xBEEF};
        final GpaRanges.Valid v = valid(GpaRanges.parse(2, words));
        assertThat(v.wordsUsed()).isEqualTo(5);
        assertThat(v.ranges())
                .containsExactly(new GpaRange(0x10, 1, new long[] {5}), new GpaRange(0, 4097, new long[] {6, 7}));
    }

    @Test
    void shouldAcceptZeroCountUsingNoWords() {
        assertThat(valid(GpaRanges.parse(0, new long[] {1, 2})).wordsUsed()).isZero();
        assertThat(valid(GpaRanges.parse(0, new long[0])).ranges()).isEmpty();
    }

    @Test
    void shouldRejectMissingRangeAsEmptyRange() {
        final GpaRangeError e = error(GpaRanges.parse(2, new long[] {hdr(0, 4096), 1}));
        assertThat(e.kind()).isEqualTo(GpaRangeError.Kind.EMPTY_RANGE);
        assertThat(e.rangeIndex()).isEqualTo(1);
        assertThat(e.wordIndex()).isEqualTo(2);
        assertThat(error(GpaRanges.parse(1, new long[0])).kind()).isEqualTo(GpaRangeError.Kind.EMPTY_RANGE);
    }

    @Test
    void shouldRejectZeroByteCount() {
        final GpaRangeError e = error(GpaRanges.parse(1, new long[] {hdr(5, 0), 1}));
        assertThat(e.kind()).isEqualTo(GpaRangeError.Kind.EMPTY_BYTE_COUNT);
        assertThat(e.describe()).contains("byte_count=0").contains("expected: > 0");
    }

    @Test
    void shouldRejectOffsetBeyondOnePage() {
        final GpaRangeError e = error(GpaRanges.parse(1, new long[] {hdr(0x1000, 1), 0xDEADBEEFL}));
        assertThat(e.kind()).isEqualTo(GpaRangeError.Kind.OFFSET_TOO_LARGE);
        assertThat(e.describe()).contains("byte_offset=0x1000").contains("<= 0xfff");
        // the top bit of the offset must not make it look negative and pass
        assertThat(error(GpaRanges.parse(1, new long[] {hdr(0x8000_0000L, 1), 1}))
                        .kind())
                .isEqualTo(GpaRangeError.Kind.OFFSET_TOO_LARGE);
    }

    @Test
    void shouldCheckZeroCountBeforeOffset() {
        assertThat(error(GpaRanges.parse(1, new long[] {hdr(0x1000, 0)})).kind())
                .isEqualTo(GpaRangeError.Kind.EMPTY_BYTE_COUNT);
    }

    @Test
    void shouldRejectU32OverflowOfLengthPlusOffset() {
        // 0xFFFFFFFF + 4095 overflows even with offset 0
        assertThat(error(GpaRanges.parse(1, new long[] {hdr(0, 0xFFFF_FFFFL), 1}))
                        .kind())
                .isEqualTo(GpaRangeError.Kind.OVERFLOW);
        // largest count that does not overflow with offset 0: 0xFFFFFFFF - 4095
        final long maxCount = 0xFFFF_FFFFL - 4095;
        assertThat(error(GpaRanges.parse(1, new long[] {hdr(0, maxCount), 1})).kind())
                .as("fits, but needs 2^20 - 1 pages")
                .isEqualTo(GpaRangeError.Kind.RANGE_TOO_SMALL);
        assertThat(error(GpaRanges.parse(1, new long[] {hdr(1, maxCount), 1})).kind())
                .isEqualTo(GpaRangeError.Kind.OVERFLOW);
    }

    @Test
    void shouldRejectTooFewPageNumbers() {
        final GpaRangeError e = error(GpaRanges.parse(1, new long[] {hdr(0x100, 3 * 4096), 1, 2, 3}));
        assertThat(e.kind()).isEqualTo(GpaRangeError.Kind.RANGE_TOO_SMALL);
        assertThat(e.pagesNeeded()).isEqualTo(4);
        assertThat(e.pagesPresent()).isEqualTo(3);
        assertThat(e.describe()).contains("page numbers=3").contains(">= 4");
    }

    @Test
    void shouldReportErrorInSecondRangeWithItsIndexAndWord() {
        final GpaRangeError e = error(GpaRanges.parse(2, new long[] {hdr(0, 1), 9, hdr(0x2000, 1), 9}));
        assertThat(e.kind()).isEqualTo(GpaRangeError.Kind.OFFSET_TOO_LARGE);
        assertThat(e.rangeIndex()).isEqualTo(1);
        assertThat(e.wordIndex()).isEqualTo(2);
        assertThat(e.header()).isEqualTo(hdr(0x2000, 1));
    }

    @Test
    void shouldParseSubArrayWithRelativeWordIndexes() {
        final long[] words = {0xAAAA, hdr(0, 1), 42, 0xBBBB};
        final GpaRanges.Valid v = valid(GpaRanges.parse(1, words, 1, 3));
        assertThat(v.wordsUsed()).isEqualTo(2);
        assertThat(v.ranges().getFirst().pageNumber(0)).isEqualTo(42);
        final GpaRangeError e = error(GpaRanges.parse(1, words, 1, 2));
        assertThat(e.kind()).isEqualTo(GpaRangeError.Kind.RANGE_TOO_SMALL);
        assertThat(e.wordIndex()).isZero();
    }

    @Test
    void shouldParseWordsFromLittleEndianBytesIgnoringPartialWord() {
        final byte[] bytes = new byte[8 * 2 + 3];
        // header: byte_count 0x10 at bytes 0..3, byte_offset 0x20 at bytes 4..7
        bytes[0] = 0x10;
        bytes[4] = 0x20;
        // page number 0x0102 at bytes 8..15
        bytes[8] = 0x02;
        bytes[9] = 0x01;
        bytes[16] = 1;
        final GpaRanges.Valid v = valid(GpaRanges.parse(1, Blob.of(bytes)));
        assertThat(v.ranges()).containsExactly(new GpaRange(0x20, 0x10, new long[] {0x0102}));
        assertThat(v.wordsUsed()).isEqualTo(2);
    }

    @Test
    void shouldEncodeWhatItParses() {
        final List<GpaRange> ranges = List.of(
                new GpaRange(0xFFF, 4098, new long[] {1, 2, 3}), new GpaRange(0, 1, new long[] {0x7FFF_FFFF_FFFFL}));
        final long[] words = GpaRanges.encode(ranges);
        assertThat(words).containsExactly(hdr(0xFFF, 4098), 1, 2, 3, hdr(0, 1), 0x7FFF_FFFF_FFFFL);
        assertThat(valid(GpaRanges.parse(2, words)).ranges()).isEqualTo(ranges);
        assertThat(GpaRanges.wordCount(ranges)).isEqualTo(words.length);
    }

    @Test
    void shouldRejectInconsistentRangeRecord() {
        assertThatThrownBy(() -> new GpaRange(0, 4097, new long[] {1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pageNumbers length=1 (expected: 2)");
        assertThatThrownBy(() -> new GpaRange(0x1000, 1, new long[] {1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("byteOffset=4096");
        assertThatThrownBy(() -> new GpaRange(0, 0, new long[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("byteCount=0");
    }

    @Test
    void shouldCopyPageNumbersDefensively() {
        final long[] pages = {1};
        final GpaRange r = new GpaRange(0, 1, pages);
        pages[0] = 99;
        r.pageNumbers()[0] = 98;
        assertThat(r.pageNumber(0)).isEqualTo(1);
    }

    @Test
    void shouldNeverThrowOnRandomWords() {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        for (int iteration = 0; iteration < 20_000; iteration++) {
            final long[] words = new long[random.nextInt(12)];
            for (int i = 0; i < words.length; i++) {
                // bias toward small, plausible headers so every error kind and success occur
                words[i] = random.nextInt(4) == 0
                        ? random.nextLong()
                        : hdr(random.nextInt(0x1100), random.nextInt(3) == 0 ? 0 : random.nextInt(3 * 4096));
            }
            final int count = random.nextInt(5);
            final GpaRanges.Result result;
            try {
                result = GpaRanges.parse(count, words);
            } catch (final RuntimeException e) {
                throw new AssertionError("seed=" + seed + " iteration=" + iteration, e);
            }
            if (result instanceof GpaRanges.Valid v) {
                assertThat(v.ranges()).as("seed=%d", seed).hasSize(count);
                assertThat(v.wordsUsed()).as("seed=%d", seed).isEqualTo(GpaRanges.wordCount(v.ranges()));
            }
        }
    }
}
