package io.jvmbus.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.protocol.GpaRange;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GpadlViewTest {

    private final Arena arena = Arena.ofConfined();
    private final GuestMemory memory = GuestMemory.wrap(arena.allocate(8 * 4096, 4096));

    @AfterEach
    void close() {
        arena.close();
    }

    /** Where view byte x lives, computed independently from the range list. */
    private static long gpaOf(final List<GpaRange> ranges, final long x) {
        long start = 0;
        for (final GpaRange r : ranges) {
            if (x < start + r.length()) {
                final long inRange = r.byteOffset() + (x - start);
                return r.pageNumber((int) (inRange / 4096)) * 4096 + inRange % 4096;
            }
            start += r.length();
        }
        throw new AssertionError("outside");
    }

    @Test
    void shouldLayRangesEndToEndAcrossScatteredPages() {
        final List<GpaRange> ranges = List.of(
                new GpaRange(0x200, 5000, new long[] {6, 1}),
                new GpaRange(0, 4096, new long[] {3}),
                new GpaRange(0xFF8, 16, new long[] {7, 0}));
        final GpadlView view = GpadlView.of(memory, ranges).orElseThrow();
        assertThat(view.length()).isEqualTo(5000 + 4096 + 16);
        assertThat(view.pageCount()).isEqualTo(5);
        assertThat(view.rangeCount()).isEqualTo(3);

        final SplittableRandom random = new SplittableRandom(7);
        final byte[] data = new byte[(int) view.length()];
        random.nextBytes(data);
        assertThat(view.write(0, MemorySegment.ofArray(data), 0, data.length)).isTrue();
        for (int x = 0; x < data.length; x++) {
            assertThat(memory.segment().get(ValueLayout.JAVA_BYTE, gpaOf(ranges, x)))
                    .as("view byte %d", x)
                    .isEqualTo(data[x]);
        }
        // partial reads starting in every range, crossing page and range boundaries
        for (final long from : new long[] {0, 3583, 3584, 4999, 5000, 9095, 9096, 9100}) {
            final int n = (int) Math.min(700, view.length() - from);
            final byte[] out = new byte[n];
            assertThat(view.read(from, MemorySegment.ofArray(out), 0, n)).isTrue();
            for (int i = 0; i < n; i++) {
                assertThat(out[i]).isEqualTo(data[(int) from + i]);
            }
        }
    }

    @Test
    void shouldRefuseAccessOutsideTheView() {
        final GpadlView view = GpadlView.of(memory, List.of(new GpaRange(16, 100, new long[] {2})))
                .orElseThrow();
        final MemorySegment buf = arena.allocate(200);
        assertThat(view.read(0, buf, 0, 100)).isTrue();
        assertThat(view.read(1, buf, 0, 100)).isFalse();
        assertThat(view.write(100, buf, 0, 1)).isFalse();
        assertThat(view.read(-1, buf, 0, 1)).isFalse();
        assertThat(view.read(Long.MAX_VALUE, buf, 0, 2)).isFalse();
        assertThat(view.write(100, buf, 0, 0)).isTrue();
    }

    @Test
    void shouldRefusePagesOutsideGuestRam() {
        final MemoryResult<GpadlView> r = GpadlView.of(
                memory, List.of(new GpaRange(0, 4096, new long[] {1}), new GpaRange(0, 8192, new long[] {2, 8})));
        assertThat(r).isInstanceOfSatisfying(MemoryResult.Failed.class, f -> {
            assertThat(f.error().kind()).isEqualTo(MemoryError.Kind.PAGE_OUT_OF_RANGE);
            assertThat(f.error().message()).contains("range 1 page 1=8").contains("expected: < 8");
        });
        final MemoryResult<GpadlView> huge = GpadlView.of(memory, List.of(new GpaRange(0, 1, new long[] {-1})));
        assertThat(((MemoryResult.Failed<GpadlView>) huge).error().message()).contains("18446744073709551615");
    }

    @Test
    void shouldAllowAnEmptyGpadl() {
        final GpadlView view = GpadlView.of(memory, List.of()).orElseThrow();
        assertThat(view.length()).isZero();
        assertThat(view.read(0, arena.allocate(1), 0, 0)).isTrue();
        assertThat(view.read(0, arena.allocate(1), 0, 1)).isFalse();
    }
}
