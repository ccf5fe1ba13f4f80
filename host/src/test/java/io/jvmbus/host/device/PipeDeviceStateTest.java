package io.jvmbus.host.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvmbus.memory.GuestMemory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipe device's own saved state (bytes waiting either way), with a real debugger socket: the session is played by
 * a single worker thread that runs the device's tasks, as the real session's worker does.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PipeDeviceStateTest {

    @TempDir
    Path dir;

    private final ExecutorService worker = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        worker.shutdownNow();
    }

    /** The session side of one channel: no rings, no core; tasks run on {@link #worker}. */
    private final class WorkerPort implements ChannelPort {
        private final String endpoint;

        WorkerPort(final String endpoint) {
            this.endpoint = endpoint;
        }

        @Override
        public String name() {
            return "dbg";
        }

        @Override
        public GuestMemory memory() {
            return null;
        }

        @Override
        public void completeOpen(final int status) {}

        @Override
        public void completeClose() {}

        @Override
        public void completeGpadl(final int gpadlId, final int status) {}

        @Override
        public void completeTeardown(final int gpadlId) {}

        @Override
        public void completeModify(final int status) {}

        @Override
        public void signalGuest(final int vp, final int eventFlag) {}

        @Override
        public void routeSignals(final int connectionId) {}

        @Override
        public void event(final ObjectNode event) {}

        @Override
        public void warn(final String message) {}

        @Override
        public Optional<String> endpoint() {
            return Optional.of(endpoint);
        }

        @Override
        public void execute(final Runnable action) {
            worker.execute(action);
        }
    }

    private <T> T onWorker(final Callable<T> c) throws Exception {
        return worker.submit(c).get(10, TimeUnit.SECONDS);
    }

    private long queuedToGuest(final PipeDevice d) throws Exception {
        return onWorker(() -> {
            final ObjectNode j = JsonNodeFactory.instance.objectNode();
            d.inspect(j);
            return j.get("pipe").get("queued_to_guest").asLong();
        });
    }

    @Test
    void shouldSaveTheDebuggersBytesThatNoGuestTookAndRestoreThemInANewDevice() throws Exception {
        final Path sock = dir.resolve("dbg.sock");
        final PipeDevice first = onWorker(() -> new PipeDevice(new WorkerPort("unix:" + sock)));
        final byte[] sent = new byte[10_000];
        new Random(11).nextBytes(sent);
        try (SocketChannel debugger = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            debugger.connect(UnixDomainSocketAddress.of(sock));
            final ByteBuffer b = ByteBuffer.wrap(sent);
            while (b.hasRemaining()) {
                debugger.write(b);
            }
            // SAVE may come at any time: the reader's chunks in flight are collected by saveState itself; wait
            // here only until the reader has taken everything from the socket
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (queuedToGuest(first) < sent.length && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(queuedToGuest(first))
                    .as("bytes the reader took from the socket")
                    .isEqualTo(sent.length);
        }
        final byte[] state = onWorker(first::saveState);
        // SAVE released the endpoint: a new device (the new process's) binds it while the old one still exists
        final PipeDevice second = onWorker(() -> new PipeDevice(new WorkerPort("unix:" + sock)));
        onWorker(() -> {
            first.close();
            return null;
        });
        assertThat(sock)
                .as("the old device's close leaves the new device's socket alone")
                .exists();
        onWorker(() -> {
            second.prepareRestore(state).run();
            return null;
        });

        final ByteBuffer s = ByteBuffer.wrap(state).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(s.getInt()).isEqualTo(PipeDevice.STATE_VERSION);
        assertThat(s.getInt()).isEqualTo(sent.length);
        final byte[] saved = new byte[sent.length];
        s.get(saved);
        assertThat(saved).isEqualTo(sent);
        assertThat(queuedToGuest(second)).isEqualTo(sent.length);
        onWorker(() -> {
            second.close();
            return null;
        });
    }

    @Test
    void shouldRefuseTruncatedNewerOrOversizedStatesAndStayEmpty() throws Exception {
        final PipeDevice d = onWorker(() -> new PipeDevice(new WorkerPort("unix:" + dir.resolve("p.sock"))));
        final byte[] good = ByteBuffer.allocate(12 + 3 + 2)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(1)
                .putInt(3)
                .put(new byte[] {1, 2, 3})
                .putInt(2)
                .put(new byte[] {4, 5})
                .array();
        for (int n = 0; n < good.length; n++) {
            final byte[] cut = Arrays.copyOf(good, n);
            assertThatThrownBy(() -> onWorker(() -> {
                        d.prepareRestore(cut).run();
                        return null;
                    }))
                    .as("truncated to %d bytes", n)
                    .hasRootCauseInstanceOf(IllegalArgumentException.class);
        }
        final byte[] newer = good.clone();
        newer[0] = 2;
        assertThatThrownBy(() -> onWorker(() -> {
                    d.prepareRestore(newer).run();
                    return null;
                }))
                .hasRootCauseMessage("pipe state version 2 (expected: 1)");
        final byte[] huge = ByteBuffer.allocate(12)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(1)
                .putInt(Integer.MAX_VALUE)
                .array();
        assertThatThrownBy(() -> onWorker(() -> {
                    d.prepareRestore(huge).run();
                    return null;
                }))
                .hasRootCauseInstanceOf(IllegalArgumentException.class);
        assertThat(queuedToGuest(d)).isZero();

        onWorker(() -> {
            d.prepareRestore(good).run();
            return null;
        });
        assertThat(queuedToGuest(d)).isEqualTo(3);
        onWorker(() -> {
            d.close();
            return null;
        });
    }
}
