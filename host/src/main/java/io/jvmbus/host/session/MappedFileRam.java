package io.jvmbus.host.session;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Guest RAM as a shared read-write mapping of the VMM's RAM file (FFM). The default {@link GuestRamMapper} until the
 * data plane's guest memory takes over.
 */
public final class MappedFileRam implements GuestRam {

    private final Arena arena;
    private final MemorySegment segment;

    private MappedFileRam(final Arena arena, final MemorySegment segment) {
        this.arena = arena;
        this.segment = segment;
    }

    /**
     * Maps {@code bytes} of {@code file}, shared and read-write.
     *
     * @param file the RAM file
     * @param bytes how much of it is guest RAM
     * @return the mapping
     * @throws IOException if the file is missing, shorter than {@code bytes}, or not readable and writable
     */
    public static MappedFileRam map(final Path file, final long bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            final long size = ch.size();
            if (size < bytes) {
                throw new IOException("file size=" + size + " (expected: >= ram_bytes=" + bytes + ")");
            }
            final Arena arena = Arena.ofShared();
            try {
                return new MappedFileRam(arena, ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena));
            } catch (final IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        }
    }

    /**
     * The mapping.
     *
     * @return guest physical address 0 at offset 0
     */
    public MemorySegment segment() {
        return segment;
    }

    @Override
    public long size() {
        return segment.byteSize();
    }

    @Override
    public void close() {
        arena.close();
    }
}
