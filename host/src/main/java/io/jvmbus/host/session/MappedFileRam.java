package io.jvmbus.host.session;

import io.jvmbus.memory.GuestMemory;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Guest RAM as a shared read-write mapping of the first {@code ram_bytes} of the VMM's RAM file (whole pages: a
 * trailing partial page is left out, as no GPADL can name it).
 */
public final class MappedFileRam implements GuestRam {

    private final Arena arena;
    private final GuestMemory memory;

    private MappedFileRam(final Arena arena, final GuestMemory memory) {
        this.arena = arena;
        this.memory = memory;
    }

    /**
     * Maps guest RAM.
     *
     * @param file the RAM file
     * @param bytes how much of it is guest RAM
     * @return the mapping
     * @throws IOException if the file is missing, shorter than {@code bytes}, not readable and writable, or holds
     *     less than one page
     */
    public static MappedFileRam map(final Path file, final long bytes) throws IOException {
        final long pages = bytes / GuestMemory.PAGE_SIZE;
        if (bytes < 0 || pages == 0) {
            throw new IOException("ram_bytes=" + Long.toUnsignedString(bytes) + " (expected: at least one 4 KiB page)");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final long size = ch.size();
            if (size < bytes) {
                throw new IOException("file size=" + size + " (expected: >= ram_bytes=" + bytes + ")");
            }
            final Arena arena = Arena.ofShared();
            try {
                final var segment = ch.map(FileChannel.MapMode.READ_WRITE, 0, pages * GuestMemory.PAGE_SIZE, arena);
                return new MappedFileRam(arena, GuestMemory.wrap(segment));
            } catch (final IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        }
    }

    @Override
    public GuestMemory memory() {
        return memory;
    }

    @Override
    public void close() {
        arena.close();
    }
}
