package io.jvmbus.host.device;

import io.jvmbus.host.transport.LoopbackAddress;
import io.jvmbus.host.transport.UnixSocketBinder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;

/**
 * The host endpoint of a {@code pipe} device, from the offer's {@code "endpoint"}: {@code unix:PATH} (a Unix socket,
 * created mode 0600 like the server's own socket; a stale socket there is replaced, a live one or a non-socket
 * refused) or {@code tcp:HOST:PORT} (loopback only, as for {@code --listen}; port 0 picks a free port).
 */
public sealed interface PipeEndpoint {

    /** The longest endpoint text accepted. */
    int MAX_LENGTH = 1024;

    /**
     * A Unix socket endpoint.
     *
     * @param path the socket path
     */
    record Unix(Path path) implements PipeEndpoint {}

    /**
     * A loopback TCP endpoint.
     *
     * @param address the address to listen on
     */
    record Tcp(InetSocketAddress address) implements PipeEndpoint {}

    /**
     * A bound listener.
     *
     * @param channel the listening channel
     * @param unix the Unix socket binding (to unlink at close), or {@code null} for TCP
     * @param local the address it listens on (the real port for TCP port 0)
     */
    record Listener(ServerSocketChannel channel, UnixSocketBinder.Bound unix, SocketAddress local) {

        /** Closes the channel and removes the socket file if it is still ours. */
        public void close() {
            try {
                channel.close();
            } catch (final IOException ignored) {
                // nothing more to release
            }
            if (unix != null) {
                UnixSocketBinder.unlink(unix);
            }
        }

        /**
         * The endpoint as the offer would name it now.
         *
         * @return {@code unix:PATH} or {@code tcp:HOST:PORT}
         */
        public String describe() {
            if (unix != null) {
                return "unix:" + unix.path();
            }
            final InetSocketAddress a = (InetSocketAddress) local;
            final String host = a.getAddress().getHostAddress();
            return "tcp:" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
        }
    }

    /**
     * Parses an offer's endpoint.
     *
     * @param text {@code unix:PATH} or {@code tcp:HOST:PORT}
     * @return the endpoint
     * @throws IllegalArgumentException naming the value and the expectation
     */
    static PipeEndpoint parse(final String text) {
        if (text == null || text.isEmpty() || text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(
                    "endpoint '" + text + "' (expected: unix:PATH or tcp:HOST:PORT, 1.." + MAX_LENGTH + " characters)");
        }
        if (text.startsWith("unix:") && text.length() > 5) {
            final Path p;
            try {
                p = Path.of(text.substring(5));
            } catch (final java.nio.file.InvalidPathException e) {
                throw new IllegalArgumentException("endpoint '" + text + "': " + e.getMessage());
            }
            if (!p.isAbsolute()) {
                throw new IllegalArgumentException("endpoint '" + text + "' (expected: an absolute socket path)");
            }
            return new Unix(p);
        }
        if (text.startsWith("tcp:")) {
            try {
                return new Tcp(LoopbackAddress.parse(text.substring(4)));
            } catch (final IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "endpoint '" + text + "': " + e.getMessage().replace("--listen ", ""));
            }
        }
        throw new IllegalArgumentException("endpoint '" + text + "' (expected: unix:PATH or tcp:HOST:PORT)");
    }

    /**
     * Binds and listens.
     *
     * @return the listener
     * @throws IOException if the endpoint cannot be bound (in use, no such directory, ...)
     */
    default Listener bind() throws IOException {
        return switch (this) {
            case Unix u -> {
                final UnixSocketBinder.Bound b = UnixSocketBinder.bind(u.path(), 4);
                yield new Listener(b.channel(), b, b.channel().getLocalAddress());
            }
            case Tcp t -> {
                final ServerSocketChannel c = ServerSocketChannel.open(
                        t.address().getAddress() instanceof java.net.Inet6Address
                                ? StandardProtocolFamily.INET6
                                : StandardProtocolFamily.INET);
                try {
                    c.bind(t.address(), 4);
                } catch (final IOException e) {
                    c.close();
                    throw e;
                }
                yield new Listener(c, null, c.getLocalAddress());
            }
        };
    }
}
