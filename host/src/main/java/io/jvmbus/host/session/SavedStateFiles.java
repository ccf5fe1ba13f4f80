package io.jvmbus.host.session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve --save-to DIR}: every SAVED blob is also written to {@code DIR/<vm-name>.jvmbus-saved}, crash-safely:
 * into a temporary file in DIR, which is forced to disk, then renamed over the old file atomically, then DIR itself is
 * forced (so the rename survives a power loss too). A reader therefore always finds the previous complete state or the
 * new complete state, never a mix or a partial file; each carries its own checksum, which readers check. A write that
 * fails is logged at WARN and leaves the previous file; the SAVED frame has already gone to the VMM.
 */
public final class SavedStateFiles implements SavedStateSink {

    private static final Logger LOG = LoggerFactory.getLogger(SavedStateFiles.class);

    /** The file name suffix. */
    public static final String SUFFIX = ".jvmbus-saved";

    private final Path dir;

    private SavedStateFiles(final Path dir) {
        this.dir = dir;
    }

    /**
     * A sink writing into a directory, created if missing.
     *
     * @param dir the directory
     * @return the sink
     * @throws IOException if the directory cannot be created or is not a directory
     */
    public static SavedStateFiles in(final Path dir) throws IOException {
        Files.createDirectories(dir);
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new IOException(dir + " is not a writable directory");
        }
        return new SavedStateFiles(dir.toAbsolutePath());
    }

    /**
     * The file a VM's state goes to: the VM name with every character outside {@code [A-Za-z0-9._-]} replaced by
     * {@code _} (and a leading dot too), so that a name cannot leave the directory.
     *
     * @param vmName the VM name from HELLO
     * @return the path in the directory
     */
    public Path fileFor(final String vmName) {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < vmName.length() && sb.length() < 200; i++) {
            final char c = vmName.charAt(i);
            final boolean plain = c >= 'a' && c <= 'z'
                    || c >= 'A' && c <= 'Z'
                    || c >= '0' && c <= '9'
                    || c == '-'
                    || c == '_'
                    || c == '.' && i > 0;
            sb.append(plain ? c : '_');
        }
        return dir.resolve((sb.isEmpty() ? "unnamed" : sb.toString()) + SUFFIX);
    }

    @Override
    public void saved(final String vmName, final byte[] blob) {
        final Path target = fileFor(vmName);
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
            try (FileChannel ch =
                    FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                final ByteBuffer b = ByteBuffer.wrap(blob);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true); // the bytes are on disk before the name points at them
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true); // the rename itself is durable
            }
            LOG.info("saved state of vm '{}' written to {} ({} bytes)", vmName, target, blob.length);
        } catch (final IOException | RuntimeException e) {
            LOG.warn("saved state of vm '{}' not written to {}: {}", vmName, target, e.toString());
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (final IOException ignored) {
                    // the temporary file stays; the next write uses another name
                }
            }
        }
    }
}
