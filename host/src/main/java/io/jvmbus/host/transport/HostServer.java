package io.jvmbus.host.transport;

import io.jvmbus.host.session.SessionEnvironment;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code jvmbus serve}: listens on a Unix socket (and optionally loopback TCP) and runs one independent session per
 * connection.
 */
public final class HostServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HostServer.class);

    /** The most sessions at once; further connections are closed at once. */
    public static final int DEFAULT_MAX_SESSIONS = 1024;

    /**
     * How to start.
     *
     * @param socket the Unix socket path
     * @param listen a loopback TCP address, or {@code null}
     * @param env what the sessions share
     * @param maxSessions the most sessions at once
     */
    public record Options(Path socket, InetSocketAddress listen, SessionEnvironment env, int maxSessions) {
        /** Validates the fields. */
        public Options {
            if (socket == null || env == null) {
                throw new IllegalArgumentException("socket and env are required (expected: non-null)");
            }
            if (listen != null && !listen.getAddress().isLoopbackAddress()) {
                throw new IllegalArgumentException(
                        "listen=" + listen + " (expected: a loopback address; the transport has no authentication)");
            }
            if (maxSessions < 1) {
                throw new IllegalArgumentException("maxSessions=" + maxSessions + " (expected: >= 1)");
            }
        }
    }

    private final Options options;
    private final SessionRegistry registry = new SessionRegistry();
    private final AtomicLong nextId = new AtomicLong(1);
    private final UnixSocketBinder.Bound unix;
    private final ServerSocketChannel tcp;
    private final InetSocketAddress tcpAddress;
    private final List<Thread> acceptors = new ArrayList<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final java.util.concurrent.atomic.AtomicBoolean closeStarted =
            new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean closing;

    private HostServer(final Options options, final UnixSocketBinder.Bound unix, final ServerSocketChannel tcp)
            throws IOException {
        this.options = options;
        this.unix = unix;
        this.tcp = tcp;
        this.tcpAddress = tcp == null ? null : (InetSocketAddress) tcp.getLocalAddress();
    }

    /**
     * Binds the sockets and starts accepting.
     *
     * @param options how to start
     * @return the running server
     * @throws IOException if a socket cannot be bound (a live server on the path, a non-socket file, a used port)
     */
    public static HostServer start(final Options options) throws IOException {
        final UnixSocketBinder.Bound unix = UnixSocketBinder.bind(options.socket(), 64);
        ServerSocketChannel tcp = null;
        try {
            if (options.listen() != null) {
                tcp = ServerSocketChannel.open();
                tcp.bind(options.listen(), 64);
            }
            final HostServer server = new HostServer(options, unix, tcp);
            server.acceptOn(unix.channel(), "unix");
            if (tcp != null) {
                server.acceptOn(tcp, "tcp");
            }
            LOG.info(
                    "listening on {}{} ({} configured devices)",
                    unix.path(),
                    tcp == null ? "" : " and " + server.tcpAddress,
                    options.env().config().offers().size());
            return server;
        } catch (final IOException | RuntimeException e) {
            unix.channel().close();
            UnixSocketBinder.unlink(unix);
            if (tcp != null) {
                tcp.close();
            }
            throw e;
        }
    }

    /**
     * The Unix socket's path.
     *
     * @return the absolute path
     */
    public Path socketPath() {
        return unix.path();
    }

    /**
     * The bound TCP address (with the real port when 0 was asked for).
     *
     * @return the address, or {@code null} without {@code --listen}
     */
    public InetSocketAddress tcpAddress() {
        return tcpAddress;
    }

    /**
     * Live sessions.
     *
     * @return the count
     */
    public int sessionCount() {
        return registry.size();
    }

    /**
     * Waits until exactly {@code count} sessions are live (sessions end asynchronously after their connection closes).
     *
     * @param count the number of sessions to wait for
     * @param timeout the longest wait
     * @return true if the count was reached in time
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitSessionCount(final int count, final java.time.Duration timeout) throws InterruptedException {
        return registry.awaitSize(count, timeout.toMillis());
    }

    /**
     * Completes once {@link #close()} has finished.
     *
     * @return the future
     */
    public CompletableFuture<Void> closed() {
        return closed;
    }

    private void acceptOn(final ServerSocketChannel listener, final String what) {
        acceptors.add(Thread.ofPlatform().name("accept-" + what).daemon(true).start(() -> acceptLoop(listener, what)));
    }

    private void acceptLoop(final ServerSocketChannel listener, final String what) {
        while (!closing) {
            final SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (final AsynchronousCloseException e) {
                return;
            } catch (final IOException e) {
                if (closing || !listener.isOpen()) {
                    return;
                }
                LOG.warn("accept on {} failed: {}", what, e.getMessage());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // e.g. out of file descriptors: back off
                continue;
            }
            try {
                admit(ch, what);
            } catch (final RuntimeException | IOException e) {
                LOG.error("cannot start a session on {}", what, e);
                closeQuietly(ch);
            }
        }
    }

    private void admit(final SocketChannel ch, final String what) throws IOException {
        if (registry.size() >= options.maxSessions()) {
            LOG.warn("refusing a connection on {}: {} sessions (the limit)", what, options.maxSessions());
            ch.close();
            return;
        }
        String peer = what;
        if (what.equals("tcp")) {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            peer = "tcp " + ch.getRemoteAddress();
        } else {
            peer = "unix socket " + unix.path();
        }
        final SessionConnection s = new SessionConnection(nextId.getAndIncrement(), ch, peer, options.env(), registry);
        registry.add(s);
        s.start();
    }

    private static void closeQuietly(final SocketChannel ch) {
        try {
            ch.close();
        } catch (final IOException ignored) {
            // nothing more to do
        }
    }

    /** Stops accepting, ends every session, and removes the socket file. */
    @Override
    public void close() {
        if (!closeStarted.compareAndSet(false, true)) {
            closed.join();
            return;
        }
        closing = true;
        try {
            unix.channel().close();
            if (tcp != null) {
                tcp.close();
            }
        } catch (final IOException e) {
            LOG.warn("closing the listeners failed: {}", e.getMessage());
        }
        UnixSocketBinder.unlink(unix);
        final List<CompletableFuture<String>> ends = new ArrayList<>();
        for (final SessionConnection s : registry.all()) {
            s.close("server shutting down");
            ends.add(s.done());
        }
        try {
            CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        } catch (final Exception e) {
            LOG.warn("not every session ended within 5 s of shutdown");
        }
        for (final Thread t : acceptors) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LOG.info("server stopped");
        closed.complete(null);
    }
}
