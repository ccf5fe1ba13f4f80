package io.jvmbus.client;

import io.jvmbus.memory.GuestMemory;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Objects;

/**
 * The guest's RAM: a file the client owns (playing the VMM, which owns the RAM file in a real setup), mapped shared
 * with {@link GuestMemory}, plus a first-fit page allocator for rings, GPADL buffers and SynIC pages. Guest physical
 * address {@code G} is file offset {@code G}; page 0 is never handed out, so no structure sits at GPA 0.
 *
 * <p>Thread-safe: allocation is synchronized; the mapping is shared.
 */
public final class GuestRam implements AutoCloseable {

    private final Path file;
    private final boolean deleteOnClose;
    private final GuestMemory memory;
    private final BitSet used;
    private final int pages;

    private GuestRam(final Path file, final boolean deleteOnClose, final GuestMemory memory) {
        this.file = file;
        this.deleteOnClose = deleteOnClose;
        this.memory = memory;
        this.pages = Math.toIntExact(memory.pageCount());
        this.used = new BitSet(pages);
        used.set(0);
    }

    /**
     * Creates (or truncates) a RAM file of {@code pages} zeroed pages and maps it.
     *
     * @param file the file
     * @param pages its size in 4 KiB pages, at least 2
     * @param deleteOnClose whether {@link #close()} deletes the file
     * @return the RAM
     * @throws UncheckedIOException if the file cannot be created or mapped
     * @throws IllegalArgumentException if {@code pages < 2}
     */
    public static GuestRam create(final Path file, final int pages, final boolean deleteOnClose) {
        Objects.requireNonNull(file, "file");
        if (pages < 2) {
            throw new IllegalArgumentException("ram pages=" + pages + " (expected: >= 2)");
        }
        try {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(0);
                raf.setLength((long) pages * GuestMemory.PAGE_SIZE);
            }
            return new GuestRam(file, deleteOnClose, GuestMemory.map(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create guest RAM file " + file, e);
        }
    }

    /**
     * Creates a RAM file in a fresh temporary file, deleted on close.
     *
     * @param pages its size in 4 KiB pages
     * @return the RAM
     */
    public static GuestRam createTemp(final int pages) {
        try {
            return create(Files.createTempFile("jvmbus-guest-ram", ".bin"), pages, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary guest RAM file", e);
        }
    }

    /**
     * The RAM file (what a VMM hands the host in HELLO).
     *
     * @return the path
     */
    public Path file() {
        return file;
    }

    /**
     * The guest's mapping.
     *
     * @return the memory
     */
    public GuestMemory memory() {
        return memory;
    }

    /**
     * The size in bytes.
     *
     * @return bytes
     */
    public long size() {
        return memory.size();
    }

    /**
     * Allocates {@code count} contiguous zeroed pages.
     *
     * @param count pages, at least 1
     * @return the page numbers (ascending)
     * @throws GuestException of kind {@link GuestException.Kind#NO_MEMORY} if no run of that length is free
     */
    public synchronized long[] allocate(final int count) {
        if (count < 1) {
            throw new IllegalArgumentException("page count=" + count + " (expected: >= 1)");
        }
        int start = used.nextClearBit(1);
        while (start + count <= pages) {
            final int nextUsed = used.nextSetBit(start);
            if (nextUsed < 0 || nextUsed >= start + count) {
                used.set(start, start + count);
                final long[] out = new long[count];
                for (int i = 0; i < count; i++) {
                    out[i] = start + i;
                }
                memory.segment()
                        .asSlice((long) start * GuestMemory.PAGE_SIZE, (long) count * GuestMemory.PAGE_SIZE)
                        .fill((byte) 0);
                return out;
            }
            start = used.nextClearBit(nextUsed);
        }
        throw new GuestException(
                GuestException.Kind.NO_MEMORY,
                "free run of pages=" + count + " (expected: available in " + pages + " pages, "
                        + (pages - used.cardinality()) + " free)");
    }

    /**
     * Returns pages to the allocator.
     *
     * @param pageNumbers pages from {@link #allocate}
     * @throws IllegalArgumentException if a page is not allocated (a double free)
     */
    public synchronized void free(final long[] pageNumbers) {
        for (final long p : pageNumbers) {
            if (p <= 0 || p >= pages || !used.get((int) p)) {
                throw new IllegalArgumentException("free page=" + p + " (expected: an allocated page)");
            }
        }
        for (final long p : pageNumbers) {
            used.clear((int) p);
        }
    }

    /**
     * Pages currently free.
     *
     * @return the count
     */
    public synchronized int freePages() {
        return pages - used.cardinality();
    }

    @Override
    public void close() {
        memory.close();
        if (deleteOnClose) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // best effort: a temp file left behind is harmless
            }
        }
    }
}
