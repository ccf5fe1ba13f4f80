package io.jvmbus.host.session;

import java.io.IOException;
import java.nio.file.Path;

/** Maps the file a HELLO names as guest RAM, shared and read-write. */
@FunctionalInterface
public interface GuestRamMapper {

    /**
     * Maps guest RAM.
     *
     * @param file the RAM file: guest physical address G is file offset G
     * @param bytes bytes of guest RAM (HELLO's {@code ram_bytes})
     * @return the mapping
     * @throws IOException if the file cannot be mapped (missing, too small, not readable and writable)
     */
    GuestRam map(Path file, long bytes) throws IOException;
}
