package io.jvmbus.bench.ring;

import io.jvmbus.memory.GpadlView;
import io.jvmbus.memory.GuestMemory;
import io.jvmbus.memory.ring.RingPair;
import io.jvmbus.protocol.GpaRange;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@code linux-ring-peer} subprocess for benchmarks: started with output to files, attached through {@link
 * GuestMemory}, with its control page (signal counters, host_ready) as the README describes. The binary comes from
 * {@code -Djvmbus.linuxRingPeer}, else it is built with {@code build.sh -q} from {@code -Djvmbus.shared.dir} or
 * {@code ../shared} next to the working directory.
 */
final class LinuxRingPeerProcess implements AutoCloseable {

    static final int PAGE = 4096;
    static final int C_GUEST_PID = 0x18;
    static final int C_GUEST_READY = 0x20;
    static final int C_HOST_READY = 0x2c;
    static final int C_HOST_ERROR = 0x34;
    static final int C_G2H_SIGNALS = 0x40;
    static final int C_H2G_SIGNALS = 0x80;

    private static final long MAGIC = 0x31304c544350524cL;
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final VarHandle I32 =
            ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    private static final VarHandle I64 =
            ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    private static Path binary;

    private final Process process;
    private final Path file;
    private final Path out;
    private final int sendPages;
    private final int recvPages;
    private GuestMemory memory;
    private MemorySegment control;

    private LinuxRingPeerProcess(
            final Process process, final Path file, final Path out, final int sendPages, final int recvPages) {
        this.process = process;
        this.file = file;
        this.out = out;
        this.sendPages = sendPages;
        this.recvPages = recvPages;
    }

    static synchronized Path binary() throws IOException, InterruptedException {
        if (binary != null) {
            return binary;
        }
        final String given = System.getProperty("jvmbus.linuxRingPeer");
        if (given != null && Files.isExecutable(Path.of(given))) {
            return binary = Path.of(given);
        }
        final String shared = System.getProperty("jvmbus.shared.dir");
        final Path script = (shared != null ? Path.of(shared) : Path.of("..", "shared"))
                .resolve("tools/linux-ring-peer/build.sh")
                .toAbsolutePath();
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("no linux-ring-peer: set -Djvmbus.linuxRingPeer or -Djvmbus.shared.dir ("
                    + script + " does not exist)");
        }
        final Path log = Files.createTempFile("lrp-build", ".log");
        final Path stdout = Files.createTempFile("lrp-build", ".out");
        final Process p = new ProcessBuilder("bash", script.toString(), "-q")
                .redirectOutput(stdout.toFile())
                .redirectError(log.toFile())
                .start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("building linux-ring-peer failed: " + Files.readString(log));
        }
        binary = Path.of(Files.readAllLines(stdout).getLast().trim());
        Files.deleteIfExists(log);
        Files.deleteIfExists(stdout);
        return binary;
    }

    static LinuxRingPeerProcess start(final int s, final int r, final List<String> args)
            throws IOException, InterruptedException {
        final Path dir = Files.isWritable(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of("/tmp");
        final Path file = dir.resolve("jvmbus-bench-" + ProcessHandle.current().pid() + ".ring");
        final List<String> cmd = new ArrayList<>();
        cmd.add(binary().toString());
        cmd.add(args.getFirst());
        cmd.add(file.toString());
        cmd.add(Integer.toString(s));
        cmd.add(Integer.toString(r));
        cmd.addAll(args.subList(1, args.size()));
        final Path out = Files.createTempFile("lrp-bench", ".out");
        final Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        return new LinuxRingPeerProcess(p, file, out, s, r);
    }

    /** Waits for the peer's rings (its pid and guest_ready on the control page), then maps the file. */
    LinuxRingPeerProcess attach() throws IOException {
        final long need = (long) (sendPages + recvPages + 1) * PAGE;
        final long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (true) {
            if (Files.exists(file) && sizeOrZero() == need) {
                final GuestMemory m = GuestMemory.map(file);
                final MemorySegment ctl = m.segment().asSlice((long) (sendPages + recvPages) * PAGE, PAGE);
                if ((long) I64.getVolatile(ctl, 0L) == MAGIC
                        && (int) I32.getVolatile(ctl, (long) C_GUEST_PID) == (int) process.pid()
                        && (int) I32.getVolatile(ctl, (long) C_GUEST_READY) == 1) {
                    memory = m;
                    control = ctl;
                    return this;
                }
                m.close();
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("peer not ready: " + output());
            }
            LockSupport.parkNanos(200_000);
        }
    }

    private long sizeOrZero() {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    RingPair hostRings(final int maxOutgoingPacket) {
        final int pages = sendPages + recvPages;
        final long[] pfns = new long[pages];
        for (int i = 0; i < pages; i++) {
            pfns[i] = i;
        }
        final GpadlView gpadl = GpadlView.of(memory, List.of(new GpaRange(0, pages * PAGE, pfns)))
                .orElseThrow();
        return RingPair.forHost(gpadl, sendPages, maxOutgoingPacket).orElseThrow();
    }

    long guestSignals() {
        return (long) I64.getVolatile(control, (long) C_G2H_SIGNALS);
    }

    void signalGuest() {
        I64.getAndAdd(control, (long) C_H2G_SIGNALS, 1L);
    }

    void ctl32(final int offset, final int value) {
        I32.setVolatile(control, (long) offset, value);
    }

    /** Spins briefly, then parks, until guest_to_host_signals moves past {@code seen}. */
    long awaitGuestSignal(final long seen) {
        final long deadline = System.nanoTime() + TIMEOUT_NANOS;
        int spins = 0;
        long v;
        while ((v = guestSignals()) == seen) {
            if (spins++ < 256) {
                Thread.onSpinWait();
                continue;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no signal from the peer within 60 s: " + output());
            }
            if (!process.isAlive() && (v = guestSignals()) == seen) {
                throw new IllegalStateException("peer exited: " + output());
            }
            LockSupport.parkNanos(20_000);
        }
        return v;
    }

    int waitFor() throws InterruptedException {
        if (!process.waitFor(TIMEOUT_NANOS, TimeUnit.NANOSECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("peer did not finish: " + output());
        }
        return process.exitValue();
    }

    String output() {
        try {
            return Files.readString(out);
        } catch (IOException e) {
            return e.toString();
        }
    }

    Map<String, String> result() {
        final String line = output().lines()
                .filter(l -> l.startsWith("RESULT "))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no RESULT line: " + output()));
        final Map<String, String> values = new LinkedHashMap<>();
        for (final String kv : line.substring(7).split(" ")) {
            final int eq = kv.indexOf('=');
            values.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return values;
    }

    @Override
    public void close() throws IOException {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        if (memory != null) {
            memory.close();
        }
        Files.deleteIfExists(file);
        Files.deleteIfExists(out);
    }
}
