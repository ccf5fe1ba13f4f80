package io.jvmbus.cli.demo;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The host debugger: a plain stream socket connected to the {@code pipe} device's endpoint, as WinDbg or gdb would
 * connect to a named pipe or socket on the host. Reads have deadlines (a reader thread per read; the socket is closed
 * if the deadline passes).
 */
final class Debugger implements AutoCloseable {

    private final Path endpoint;
    private final SocketChannel socket;

    private Debugger(final Path endpoint, final SocketChannel socket) {
        this.endpoint = endpoint;
        this.socket = socket;
    }

    static Debugger connect(final Path endpoint) {
        try {
            final SocketChannel s = SocketChannel.open(StandardProtocolFamily.UNIX);
            s.connect(UnixDomainSocketAddress.of(endpoint));
            return new Debugger(endpoint, s);
        } catch (final IOException e) {
            throw new DemoException("debugger cannot connect to " + endpoint + ": " + e.getMessage(), e);
        }
    }

    Path endpoint() {
        return endpoint;
    }

    void write(final byte[] data) {
        final ByteBuffer b = ByteBuffer.wrap(data);
        try {
            while (b.hasRemaining()) {
                socket.write(b);
            }
        } catch (final IOException e) {
            throw new DemoException("debugger write to " + endpoint + ": " + e.getMessage(), e);
        }
    }

    /** Reads exactly {@code count} bytes. */
    byte[] read(final int count, final Duration timeout) {
        final CompletableFuture<byte[]> f = new CompletableFuture<>();
        Thread.ofVirtual().name("demo-debugger-read").start(() -> {
            try {
                final ByteBuffer b = ByteBuffer.allocate(count);
                while (b.hasRemaining()) {
                    if (socket.read(b) < 0) {
                        throw new IOException("the endpoint closed after " + b.position() + " of " + count + " bytes");
                    }
                }
                f.complete(b.array());
            } catch (final IOException | RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return await(f, timeout, count + " bytes");
    }

    /** Waits until the host end closes the connection; bytes arriving first are an error. */
    void awaitClosedByHost(final Duration timeout) {
        final CompletableFuture<Integer> f = new CompletableFuture<>();
        Thread.ofVirtual().name("demo-debugger-eof").start(() -> {
            try {
                f.complete(socket.read(ByteBuffer.allocate(1)));
            } catch (final IOException e) {
                f.complete(-1); // a reset is an end too
            }
        });
        final int n = await(f, timeout, "the end of the connection");
        if (n >= 0) {
            throw new DemoException("debugger got data instead of the end of the connection (read " + n + ")");
        }
    }

    private <T> T await(final CompletableFuture<T> f, final Duration timeout, final String what) {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (final TimeoutException e) {
            close();
            throw new DemoException("debugger: no " + what + " from " + endpoint + " within " + timeout);
        } catch (final ExecutionException e) {
            throw new DemoException("debugger: " + e.getCause().getMessage(), e.getCause());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DemoException("interrupted waiting for " + what, e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (final IOException e) {
            // closing anyway
        }
    }
}
