package io.jvmbus.memory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Guest RAM: a file the VMM owns, mapped shared and read-write as one {@link MemorySegment}. A guest physical address
 * is a byte offset into the file, so guest page {@code n} is bytes {@code [n * 4096, (n + 1) * 4096)}.
 *
 * <p>Every access with a guest-supplied address goes through {@link #containsPages}, {@link #read} or
 * {@link #write}, which check bounds and report a miss as {@code false}. {@link #segment()} is the raw mapping for
 * code that has already validated its offsets (GPADL views, rings).
 *
 * <p>Thread-safe: the mapping is shared; {@link #close()} unmaps it and must only be called once no other thread uses
 * it.
 */
public final class GuestMemory implements AutoCloseable {

    /** Size of a guest page (VMBus uses 4 KiB pages on every architecture). */
    public static final int PAGE_SIZE = 4096;
    /** log2 of {@link #PAGE_SIZE}. */
    public static final int PAGE_SHIFT = 12;

    private final MemorySegment segment;
    private final Arena arena;
    private final long pageCount;

    private GuestMemory(final MemorySegment segment, final Arena arena) {
        this.segment = segment;
        this.arena = arena;
        this.pageCount = segment.byteSize() >>> PAGE_SHIFT;
    }

    /**
     * Maps a whole guest-RAM file shared and read-write. The file is neither created nor resized.
     *
     * @param file the VMM's guest-RAM file
     * @return the mapping; close it to unmap
     * @throws IOException if the file cannot be opened or mapped
     * @throws IllegalArgumentException if the file is empty or not a whole number of pages
     */
    public static GuestMemory map(final Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        final Arena arena = Arena.ofShared();
        try (FileChannel fc = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final long size = fc.size();
            checkSize(size);
            return new GuestMemory(fc.map(FileChannel.MapMode.READ_WRITE, 0, size, arena), arena);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Uses an existing native segment as guest RAM (tests, fuzzing, a VMM that maps memory itself). The caller keeps
     * ownership: {@link #close()} does not free it.
     *
     * @param segment a native, page-aligned segment of whole pages
     * @return guest memory over it
     * @throws IllegalArgumentException if the segment is on the heap, not page-aligned or not whole pages
     */
    public static GuestMemory wrap(final MemorySegment segment) {
        Objects.requireNonNull(segment, "segment");
        if (!segment.isNative()) {
            throw new IllegalArgumentException("segment is on the heap (expected: a native or mapped segment)");
        }
        if ((segment.address() & (PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException(
                    "segment address=0x" + Long.toHexString(segment.address()) + " (expected: page-aligned)");
        }
        checkSize(segment.byteSize());
        return new GuestMemory(segment, null);
    }

    private static void checkSize(final long size) {
        if (size <= 0 || (size & (PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException("guest RAM size=" + size + " (expected: > 0 and a multiple of 4096)");
        }
    }

    /**
     * The whole mapping. Offsets into it must already be validated.
     *
     * @return the segment
     */
    public MemorySegment segment() {
        return segment;
    }

    /**
     * Size in bytes.
     *
     * @return the size
     */
    public long size() {
        return segment.byteSize();
    }

    /**
     * Number of guest pages.
     *
     * @return size / 4096
     */
    public long pageCount() {
        return pageCount;
    }

    /**
     * Whether pages {@code [first, first + count)} are all inside guest RAM.
     *
     * @param first first guest page number (any u64 the guest sent, read as signed)
     * @param count number of pages
     * @return true if every page exists
     */
    public boolean containsPages(final long first, final long count) {
        return first >= 0 && count >= 0 && first < pageCount && count <= pageCount - first;
    }

    /**
     * One page of guest RAM.
     *
     * @param pageNumber a page number already checked with {@link #containsPages}
     * @return a 4096-byte slice
     * @throws IndexOutOfBoundsException if the page is outside guest RAM (a caller bug)
     */
    public MemorySegment page(final long pageNumber) {
        if (!containsPages(pageNumber, 1)) {
            throw new IndexOutOfBoundsException("page=" + pageNumber + " (expected: < " + pageCount + ")");
        }
        return segment.asSlice(pageNumber << PAGE_SHIFT, PAGE_SIZE);
    }

    /**
     * Copies guest RAM out, if the whole source range exists.
     *
     * @param gpa guest physical address of the first byte
     * @param dst destination
     * @param dstOffset offset in {@code dst}
     * @param length bytes to copy
     * @return false (and nothing copied) if {@code [gpa, gpa + length)} is not inside guest RAM
     * @throws IndexOutOfBoundsException if the destination range is outside {@code dst} (a caller bug)
     */
    public boolean read(final long gpa, final MemorySegment dst, final long dstOffset, final long length) {
        if (!contains(gpa, length)) {
            return false;
        }
        MemorySegment.copy(segment, gpa, dst, dstOffset, length);
        return true;
    }

    /**
     * Copies into guest RAM, if the whole destination range exists.
     *
     * @param gpa guest physical address of the first byte
     * @param src source
     * @param srcOffset offset in {@code src}
     * @param length bytes to copy
     * @return false (and nothing copied) if {@code [gpa, gpa + length)} is not inside guest RAM
     * @throws IndexOutOfBoundsException if the source range is outside {@code src} (a caller bug)
     */
    public boolean write(final long gpa, final MemorySegment src, final long srcOffset, final long length) {
        if (!contains(gpa, length)) {
            return false;
        }
        MemorySegment.copy(src, srcOffset, segment, gpa, length);
        return true;
    }

    private boolean contains(final long gpa, final long length) {
        final long size = segment.byteSize();
        return gpa >= 0 && length >= 0 && gpa <= size && length <= size - gpa;
    }

    /** Unmaps a file mapping; a wrapped segment is left to its owner. */
    @Override
    public void close() {
        if (arena != null) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "GuestMemory[pages=" + pageCount + "]";
    }
}
