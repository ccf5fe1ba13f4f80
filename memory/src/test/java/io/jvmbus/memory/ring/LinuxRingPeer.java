package io.jvmbus.memory.ring;

import io.jvmbus.memory.GpadlView;
import io.jvmbus.memory.GuestMemory;
import io.jvmbus.memory.MemoryResult;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs {@code linux-ring-peer} (Linux's own {@code drivers/hv/ring_buffer.c} playing the guest) as a subprocess and
 * gives the test the host's view of the shared file: guest memory, the ring GPADL and the peer's control page
 * (signal counters, statistics, flags), all as described in the tool's README. Output goes to files, never to the
 * test JVM's streams. Every wait has a deadline.
 */
final class LinuxRingPeer implements AutoCloseable {

    static final int PAGE = 4096;
    static final long MAGIC = 0x31304c544350524cL; // "LRPCTL01"

    // control page (page S + R) offsets, from the tool's README
    static final int C_MAGIC = 0x00;
    static final int C_GUEST_PID = 0x18;
    static final int C_GUEST_READY = 0x20;
    static final int C_GUEST_DONE = 0x24;
    static final int C_GUEST_STATUS = 0x28;
    static final int C_HOST_READY = 0x2c;
    static final int C_HOST_DONE = 0x30;
    static final int C_HOST_ERROR = 0x34;
    static final int C_INBOUND_MAX_PKT = 0x38;
    static final int C_G2H_SIGNALS = 0x40;
    static final int C_H2G_SIGNALS = 0x80;
    static final int C_PACKETS_SENT = 0xc0;
    static final int C_INTR_OUT_EMPTY = 0xe0;
    static final int C_INTR_IN_FULL = 0xe8;
    static final int C_OUT_FULL_TOTAL = 0xf0;
    static final int C_GUEST_WAITING = 0x110;
    static final int C_GUEST_WAITS = 0x118;

    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private static final VarHandle I32 =
            ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    private static final VarHandle I64 =
            ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    private static final AtomicInteger FILES = new AtomicInteger();
    private static Path binary;

    final Process process;
    final Path file;
    final int sendPages;
    final int recvPages;
    private final Path out;
    private final Path err;
    private final List<String> command;
    private GuestMemory memory;
    private MemorySegment control;
    private long hostSignals;

    private LinuxRingPeer(
            final Process process,
            final Path file,
            final int sendPages,
            final int recvPages,
            final Path out,
            final Path err,
            final List<String> command) {
        this.process = process;
        this.file = file;
        this.sendPages = sendPages;
        this.recvPages = recvPages;
        this.out = out;
        this.err = err;
        this.command = command;
    }

    /**
     * The peer binary: {@code -Djvmbus.linuxRingPeer}, else built once per JVM with the tool's {@code build.sh -q}
     * (from {@code jvmbus.shared.dir}, else {@code ${jvmbus.repo.root}/../shared}).
     */
    static synchronized Path binary() throws IOException, InterruptedException {
        if (binary != null) {
            return binary;
        }
        final String given = System.getProperty("jvmbus.linuxRingPeer");
        if (given != null && !given.isBlank() && Files.isExecutable(Path.of(given))) {
            binary = Path.of(given);
            return binary;
        }
        final String shared = System.getProperty("jvmbus.shared.dir");
        final Path sharedDir = shared != null && !shared.isBlank()
                ? Path.of(shared)
                : Path.of(System.getProperty("jvmbus.repo.root", "."), "..", "shared")
                        .normalize();
        final Path script = sharedDir.resolve("tools/linux-ring-peer/build.sh");
        if (!Files.isRegularFile(script)) {
            throw new AssertionError("linux-ring-peer not found: no -Djvmbus.linuxRingPeer and no " + script);
        }
        final Path log = Files.createTempFile("linux-ring-peer-build", ".log");
        final Path stdout = Files.createTempFile("linux-ring-peer-build", ".out");
        final Process p = new ProcessBuilder("bash", script.toString(), "-q")
                .redirectOutput(stdout.toFile())
                .redirectError(log.toFile())
                .start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("building linux-ring-peer took over 10 minutes; log: " + Files.readString(log));
        }
        final List<String> lines = Files.readAllLines(stdout);
        if (p.exitValue() != 0 || lines.isEmpty()) {
            throw new AssertionError(
                    "building linux-ring-peer failed (exit " + p.exitValue() + "): " + Files.readString(log));
        }
        final Path built = Path.of(lines.getLast().trim());
        if (!Files.isExecutable(built)) {
            throw new AssertionError("build.sh printed " + built + ", which is not an executable");
        }
        Files.deleteIfExists(log);
        Files.deleteIfExists(stdout);
        binary = built;
        return binary;
    }

    /** A fresh file name on tmpfs when available (the peer creates the file itself). */
    static Path ringFile(final Path fallbackDir, final String name) {
        final Path shm = Path.of("/dev/shm");
        final Path dir = Files.isDirectory(shm) && Files.isWritable(shm) ? shm : fallbackDir;
        return dir.resolve(
                "jvmbus-lrp-" + ProcessHandle.current().pid() + "-" + FILES.incrementAndGet() + "-" + name + ".ring");
    }

    /**
     * Starts {@code linux-ring-peer MODE FILE S R options...}.
     *
     * @param logDir where stdout and stderr go
     */
    static LinuxRingPeer start(
            final Path logDir, final String mode, final Path file, final int s, final int r, final String... options)
            throws IOException, InterruptedException {
        final List<String> cmd = new ArrayList<>();
        cmd.add(binary().toString());
        cmd.add(mode);
        cmd.add(file.toString());
        cmd.add(Integer.toString(s));
        cmd.add(Integer.toString(r));
        cmd.addAll(List.of(options));
        final Path out = Files.createTempFile(logDir, "lrp-" + mode, ".out");
        final Path err = Files.createTempFile(logDir, "lrp-" + mode, ".err");
        final Process p = new ProcessBuilder(cmd)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        return new LinuxRingPeer(p, file, s, r, out, err, cmd);
    }

    /**
     * Waits until this process has created the file and set up both rings (magic, our pid, guest_ready), then maps
     * it. The peer recreates the file, so a mapping of an older file never shows our pid.
     */
    LinuxRingPeer attach() throws IOException {
        final long need = (long) (sendPages + recvPages + 1) * PAGE;
        final long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (true) {
            if (Files.exists(file) && sizeOrZero() == need) {
                final GuestMemory m = GuestMemory.map(file);
                final MemorySegment ctl = m.segment().asSlice((long) (sendPages + recvPages) * PAGE, PAGE);
                if ((long) I64.getVolatile(ctl, (long) C_MAGIC) == MAGIC
                        && (int) I32.getVolatile(ctl, (long) C_GUEST_PID) == (int) process.pid()
                        && (int) I32.getVolatile(ctl, (long) C_GUEST_READY) == 1) {
                    memory = m;
                    control = ctl;
                    return this;
                }
                m.close();
            }
            if (!process.isAlive()) {
                throw new AssertionError(
                        "peer exited with " + process.exitValue() + " before it was ready\n" + output());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("peer never became ready\n" + output());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private long sizeOrZero() {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0; // replaced under us: look again
        }
    }

    GuestMemory memory() {
        return memory;
    }

    /** The channel's ring GPADL: pages [0, S + R) of the file, one range. */
    GpadlView ringGpadl() {
        final int pages = sendPages + recvPages;
        final long[] pfns = new long[pages];
        for (int i = 0; i < pages; i++) {
            pfns[i] = i;
        }
        return GpadlView.of(memory, List.of(new GpaRange(0, pages * PAGE, pfns)))
                .orElseThrow();
    }

    /** The host's rings with the guest's inbound max_pkt_size as the outgoing limit. */
    RingPair hostRings() {
        final MemoryResult<RingPair> r = RingPair.forHost(ringGpadl(), sendPages, ctl32(C_INBOUND_MAX_PKT));
        return r.orElseThrow();
    }

    /** A raw test-side view of the guest->host (true) or host->guest (false) ring header. */
    RawRing raw(final boolean guestToHost) {
        final long[] pfns = RawRing.pages(0, sendPages + recvPages);
        return guestToHost ? RawRing.of(memory, pfns, 0, sendPages) : RawRing.of(memory, pfns, sendPages, recvPages);
    }

    int ctl32(final int offset) {
        return (int) I32.getVolatile(control, (long) offset);
    }

    void ctl32(final int offset, final int value) {
        I32.setVolatile(control, (long) offset, value);
    }

    long ctl64(final int offset) {
        return (long) I64.getVolatile(control, (long) offset);
    }

    long guestSignals() {
        return ctl64(C_G2H_SIGNALS);
    }

    /** "Interrupt the guest": one atomic increment of host_to_guest_signals. */
    void signalGuest() {
        I64.getAndAdd(control, (long) C_H2G_SIGNALS, 1L);
        hostSignals++;
    }

    long hostSignals() {
        return hostSignals;
    }

    /** Waits until guest_to_host_signals differs from {@code seen}; returns the new value. */
    long awaitGuestSignal(final long seen, final String what) {
        final long deadline = System.nanoTime() + TIMEOUT_NANOS;
        int spins = 0;
        long v;
        while ((v = guestSignals()) == seen) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out " + what + "; " + state());
            }
            if (!process.isAlive() && (v = guestSignals()) == seen) { // it may have signalled just before exiting
                throw new AssertionError("peer exited with " + process.exitValue() + " while the host was " + what
                        + "; " + state() + "\n" + output());
            }
            if (spins++ < 200) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(20_000);
            }
        }
        return v;
    }

    /** Waits until a condition on the control page or rings holds. */
    void awaitCondition(final java.util.function.BooleanSupplier condition, final String what) {
        final long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; " + state() + "\n" + output());
            }
            if (!process.isAlive() && !condition.getAsBoolean()) { // it may have got there just before exiting
                throw new AssertionError(
                        "peer exited with " + process.exitValue() + " while waiting for " + what + "\n" + output());
            }
            LockSupport.parkNanos(50_000);
        }
    }

    String state() {
        if (memory == null) {
            return "(not attached)";
        }
        final RawRing g2h = raw(true);
        final RawRing h2g = raw(false);
        return "g2h[w=" + g2h.writeIndex() + " r=" + g2h.readIndex() + " mask=" + g2h.interruptMask() + " pending="
                + g2h.pendingSendSize() + "] h2g[w=" + h2g.writeIndex() + " r=" + h2g.readIndex() + " mask="
                + h2g.interruptMask() + " pending=" + h2g.pendingSendSize() + "] guest_to_host_signals="
                + guestSignals() + " host_to_guest_signals=" + ctl64(C_H2G_SIGNALS) + " guest_waiting="
                + ctl32(C_GUEST_WAITING);
    }

    /** Waits for the peer to exit and returns its status. */
    int waitFor() throws InterruptedException {
        if (!process.waitFor(TIMEOUT_NANOS + TimeUnit.SECONDS.toNanos(30), TimeUnit.NANOSECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("peer did not exit; " + state() + "\n" + output());
        }
        return process.exitValue();
    }

    String output() {
        try {
            return "$ " + String.join(" ", command) + "\n" + Files.readString(out) + Files.readString(err);
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** The peer's machine-readable RESULT line as key=value pairs. */
    Map<String, String> result() {
        final String line = output().lines()
                .filter(l -> l.startsWith("RESULT "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no RESULT line:\n" + output()));
        final Map<String, String> values = new LinkedHashMap<>();
        for (final String kv : line.substring(7).split(" ")) {
            final int eq = kv.indexOf('=');
            values.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return values;
    }

    long resultLong(final String key) {
        final String v = result().get(key);
        if (v == null) {
            throw new AssertionError("no " + key + " in RESULT: " + result());
        }
        return Long.parseLong(v);
    }

    @Override
    public void close() throws IOException {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        if (memory != null) {
            memory.close();
            memory = null;
        }
        Files.deleteIfExists(file);
    }

    /**
     * The peer's payload generator (README "Payload generator"), written from its description: xorshift64* seeded
     * per packet.
     */
    static final class Payloads {
        private long x;

        private Payloads(final long seed, final long seq) {
            x = seed ^ (seq * 0x9E3779B97F4A7C15L);
            if (x == 0) {
                x = 0x9E3779B97F4A7C15L;
            }
        }

        private long next() {
            x ^= x >>> 12;
            x ^= x << 25;
            x ^= x >>> 27;
            return x * 0x2545F4914F6CDD1DL;
        }

        /** Payload of packet {@code seq} of the stream (seed, min, max). */
        static byte[] of(final long seed, final long seq, final int min, final int max) {
            final Payloads g = new Payloads(seed, seq);
            final int len = min + (int) Long.remainderUnsigned(g.next() >>> 32, (long) max - min + 1);
            final byte[] b = new byte[len];
            for (int i = 0; i < len; ) {
                final long r = g.next();
                for (int k = 0; k < 8 && i < len; k++, i++) {
                    b[i] = (byte) (r >>> (8 * k));
                }
            }
            return b;
        }
    }
}
