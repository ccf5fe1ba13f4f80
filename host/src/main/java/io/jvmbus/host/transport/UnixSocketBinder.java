package io.jvmbus.host.transport;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Binds the server's Unix socket at a path with mode 0600, atomically: the file never exists at that path with any
 * other mode.
 *
 * <p>How: Java has no umask, and a socket file gets its mode from the umask at {@code bind}. So the socket is bound
 * inside a fresh directory created with mode 0700 next to the target (same filesystem), chmod-ed to 0600 there, where
 * no other user can reach it, and then renamed onto the target path. {@code rename(2)} is atomic and replaces a stale
 * socket file in one step. A bound socket stays bound across a rename: connections find it by the new path.
 *
 * <p>An existing file at the path: a socket nobody accepts on (connect refused) is stale and replaced; a socket that
 * accepts is a live server, and binding fails; anything that is not a socket is never touched, and binding fails.
 */
public final class UnixSocketBinder {

    /** {@code S_IFMT} of {@code st_mode}. */
    private static final int S_IFMT = 0170000;
    /** {@code S_IFSOCK}. */
    private static final int S_IFSOCK = 0140000;

    private UnixSocketBinder() {}

    /**
     * A bound, listening Unix socket.
     *
     * @param channel the listening channel
     * @param path where it can be reached
     * @param fileKey the socket file's identity, to remove only our own file at close
     */
    public record Bound(ServerSocketChannel channel, Path path, Object fileKey) {}

    /**
     * Binds and listens.
     *
     * @param target the socket path
     * @param backlog the listen backlog
     * @return the bound socket
     * @throws IOException if the path holds a live socket or a non-socket, or binding fails
     */
    public static Bound bind(final Path target, final int backlog) throws IOException {
        final Path path = target.toAbsolutePath().normalize();
        final Path dir = path.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IOException("socket directory " + dir + " does not exist (expected: an existing directory)");
        }
        checkExisting(path);
        final Path privateDir = createPrivateDir(dir);
        final Path tmp = privateDir.resolve("s");
        ServerSocketChannel channel = null;
        try {
            channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            channel.bind(UnixDomainSocketAddress.of(tmp), backlog);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
            final Object key = Files.readAttributes(
                            path, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .fileKey();
            return new Bound(channel, path, key);
        } catch (final IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            throw e instanceof IOException io ? io : new IOException("cannot bind " + path + ": " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(privateDir);
        }
    }

    /**
     * Removes the socket file if it is still the one {@link #bind} made (another server may have replaced it).
     *
     * @param bound the socket
     */
    public static void unlink(final Bound bound) {
        try {
            final Object key = Files.readAttributes(
                            bound.path(), java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    .fileKey();
            if (key != null && key.equals(bound.fileKey())) {
                Files.deleteIfExists(bound.path());
            }
        } catch (final IOException e) {
            // already gone, or not ours to remove
        }
    }

    private static void checkExisting(final Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        final int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new FileAlreadyExistsException(
                    path.toString(), null, "exists and is not a socket (expected: no file, or a stale socket)");
        }
        try {
            SocketChannel.open(UnixDomainSocketAddress.of(path)).close();
            throw new FileAlreadyExistsException(
                    path.toString(), null, "a live server accepts connections on it (expected: a stale socket)");
        } catch (final ConnectException stale) {
            // nobody listens: a stale file, replaced by the rename in bind()
        } catch (final AccessDeniedException e) {
            throw new IOException("socket " + path + " exists and cannot be probed: " + e.getMessage(), e);
        }
    }

    private static Path createPrivateDir(final Path dir) throws IOException {
        for (int attempt = 0; ; attempt++) {
            // a short name: socket paths are limited to 107 bytes
            final Path candidate = dir.resolve(".jvmbus-"
                    + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
            try {
                return Files.createDirectory(
                        candidate, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (final FileAlreadyExistsException e) {
                if (attempt > 16) {
                    throw e;
                }
            }
        }
    }
}
