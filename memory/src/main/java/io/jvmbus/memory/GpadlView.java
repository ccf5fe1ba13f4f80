package io.jvmbus.memory;

import io.jvmbus.protocol.GpaRange;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;

/**
 * The memory a GPADL describes, as one byte region: its ranges laid end to end. Byte {@code x} of the view is in the
 * range whose cumulative extent covers it, at byte {@code byte_offset + (x - range start)} of that range's pages.
 *
 * <pre>
 *   range 0: byte_offset 0x200, byte_count 5000, pages [17, 9]     range 1: byte_offset 0, byte_count 4096, pages [3]
 *   view:    [0 .. 5000) = page 17 @0x200 .. page 9 @0x588         [5000 .. 9096) = page 3
 * </pre>
 *
 * <p>Every page number is checked against guest RAM when the view is built ({@link MemoryError.Kind#PAGE_OUT_OF_RANGE}
 * otherwise), so later reads and writes only need their offset checked against {@link #length()}; a miss returns
 * {@code false}. The ranges themselves come already validated ({@link GpaRange}, from
 * {@code io.jvmbus.protocol.GpaRanges}).
 *
 * <p>Immutable and thread-safe; the bytes it views are guest memory and can change at any time.
 */
public final class GpadlView {

    private final GuestMemory memory;
    private final long[] pages;
    private final long[] rangeStart;
    private final long[] rangeLength;
    private final int[] rangeByteOffset;
    private final int[] rangeFirstPage;
    private final long length;

    private GpadlView(
            final GuestMemory memory,
            final long[] pages,
            final long[] rangeStart,
            final long[] rangeLength,
            final int[] rangeByteOffset,
            final int[] rangeFirstPage,
            final long length) {
        this.memory = memory;
        this.pages = pages;
        this.rangeStart = rangeStart;
        this.rangeLength = rangeLength;
        this.rangeByteOffset = rangeByteOffset;
        this.rangeFirstPage = rangeFirstPage;
        this.length = length;
    }

    /**
     * Builds the view of validated GPA ranges, checking every page against guest RAM.
     *
     * @param memory guest RAM
     * @param ranges the GPADL's ranges in wire order (may be empty: a zero-length view)
     * @return the view, or {@link MemoryError.Kind#PAGE_OUT_OF_RANGE} naming the first page outside guest RAM
     */
    public static MemoryResult<GpadlView> of(final GuestMemory memory, final List<GpaRange> ranges) {
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(ranges, "ranges");
        final int n = ranges.size();
        int totalPages = 0;
        for (final GpaRange r : ranges) {
            totalPages = Math.addExact(totalPages, r.pageCount());
        }
        final long[] pages = new long[totalPages];
        final long[] start = new long[n];
        final long[] len = new long[n];
        final int[] byteOffset = new int[n];
        final int[] firstPage = new int[n];
        long position = 0;
        int p = 0;
        for (int i = 0; i < n; i++) {
            final GpaRange r = ranges.get(i);
            start[i] = position;
            len[i] = r.length();
            byteOffset[i] = r.byteOffset();
            firstPage[i] = p;
            for (int k = 0; k < r.pageCount(); k++) {
                final long page = r.pageNumber(k);
                if (!memory.containsPages(page, 1)) {
                    return MemoryResult.failed(
                            MemoryError.Kind.PAGE_OUT_OF_RANGE,
                            "gpadl range " + i + " page " + k + "=" + Long.toUnsignedString(page) + " (expected: < "
                                    + memory.pageCount() + ", the guest RAM pages)");
                }
                pages[p++] = page;
            }
            position += r.length();
        }
        return new MemoryResult.Ok<>(new GpadlView(memory, pages, start, len, byteOffset, firstPage, position));
    }

    /**
     * Guest RAM the view is over.
     *
     * @return the memory
     */
    public GuestMemory memory() {
        return memory;
    }

    /**
     * Total bytes: the sum of the ranges' byte counts.
     *
     * @return the length
     */
    public long length() {
        return length;
    }

    /**
     * Number of ranges.
     *
     * @return the count
     */
    public int rangeCount() {
        return rangeStart.length;
    }

    /**
     * A range's byte offset into its first page.
     *
     * @param range 0-based range index
     * @return 0..0xFFF
     */
    public int rangeByteOffset(final int range) {
        return rangeByteOffset[range];
    }

    /**
     * A range's byte count.
     *
     * @param range 0-based range index
     * @return bytes
     */
    public long rangeLength(final int range) {
        return rangeLength[range];
    }

    /**
     * Pages of all ranges together.
     *
     * @return the count
     */
    public int pageCount() {
        return pages.length;
    }

    /**
     * A page number, counting through all ranges in order.
     *
     * @param index 0-based index over all pages
     * @return the guest page number (inside guest RAM)
     */
    public long pageNumber(final int index) {
        return pages[index];
    }

    /**
     * Copies bytes out of the view.
     *
     * @param offset first view byte
     * @param dst destination
     * @param dstOffset offset in {@code dst}
     * @param count bytes
     * @return false (nothing copied) if {@code [offset, offset + count)} is not inside the view
     * @throws IndexOutOfBoundsException if the destination range is outside {@code dst} (a caller bug)
     */
    public boolean read(final long offset, final MemorySegment dst, final long dstOffset, final long count) {
        if (!inside(offset, count)) {
            return false;
        }
        Objects.checkFromIndexSize(dstOffset, count, dst.byteSize());
        transfer(offset, dst, dstOffset, count, false);
        return true;
    }

    /**
     * Copies bytes into the view.
     *
     * @param offset first view byte
     * @param src source
     * @param srcOffset offset in {@code src}
     * @param count bytes
     * @return false (nothing copied) if {@code [offset, offset + count)} is not inside the view
     * @throws IndexOutOfBoundsException if the source range is outside {@code src} (a caller bug)
     */
    public boolean write(final long offset, final MemorySegment src, final long srcOffset, final long count) {
        if (!inside(offset, count)) {
            return false;
        }
        Objects.checkFromIndexSize(srcOffset, count, src.byteSize());
        transfer(offset, src, srcOffset, count, true);
        return true;
    }

    private boolean inside(final long offset, final long count) {
        return offset >= 0 && count >= 0 && offset <= length && count <= length - offset;
    }

    private void transfer(
            final long offset, final MemorySegment other, final long otherOffset, final long count, final boolean in) {
        final MemorySegment ram = memory.segment();
        long done = 0;
        int r = rangeOf(offset);
        while (done < count) {
            final long x = offset + done;
            while (x >= rangeStart[r] + rangeLength[r]) {
                r++;
            }
            final long inRange = rangeByteOffset[r] + (x - rangeStart[r]);
            final long page = pages[rangeFirstPage[r] + (int) (inRange >>> GuestMemory.PAGE_SHIFT)];
            final long inPage = inRange & (GuestMemory.PAGE_SIZE - 1);
            final long n = Math.min(
                    count - done, Math.min(GuestMemory.PAGE_SIZE - inPage, rangeStart[r] + rangeLength[r] - x));
            final long gpa = (page << GuestMemory.PAGE_SHIFT) + inPage;
            if (in) {
                MemorySegment.copy(other, otherOffset + done, ram, gpa, n);
            } else {
                MemorySegment.copy(ram, gpa, other, otherOffset + done, n);
            }
            done += n;
        }
    }

    /** The last range starting at or before {@code offset} (binary search over the cumulative starts). */
    private int rangeOf(final long offset) {
        int lo = 0;
        int hi = rangeStart.length - 1;
        while (lo < hi) {
            final int mid = (lo + hi + 1) >>> 1;
            if (rangeStart[mid] <= offset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    @Override
    public String toString() {
        return "GpadlView[ranges=" + rangeStart.length + ", pages=" + pages.length + ", length=" + length + "]";
    }
}
