package io.jvmbus.bench.transport;

import io.jvmbus.bench.harness.ServeChild;
import io.jvmbus.bench.harness.Stats;
import io.jvmbus.client.GuestRam;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * {@code ./jvmbus bench transport}: the control plane through a real {@code jvmbus serve} child process and its Unix
 * socket, driven by {@link GuestSession}s in this JVM.
 *
 * <ul>
 *   <li><b>Message rate</b>: for each session count (1, 8, 64 by default) that many sessions, each on its own thread
 *       and with its own {@code echo} channel, run GPADL cycles ({@link GuestSession#gpadlCycle}: 4 VMBus messages,
 *       2 each way) back to back. After warm-up iterations, each measured iteration runs for a fixed time from a
 *       common start; its aggregate rate is all sessions' messages over the time until the last session finished its
 *       last cycle, and each session's rate is its messages over its own time.
 *   <li><b>Connect to all offers</b>: a second server configured with 256 channels; each repetition opens a new
 *       session (HELLO, not timed) and times INITIATE_CONTACT → VERSION_RESPONSE → REQUESTOFFERS → 256 OFFERCHANNEL →
 *       ALLOFFERS_DELIVERED, then closes it.
 * </ul>
 *
 * Output: a {@code RESULT} line per measurement (key=value, machine-readable) and a Markdown table.
 */
public final class TransportBench {

    /** VMBus messages per GPADL cycle: GPADL_HEADER, GPADL_CREATED, GPADL_TEARDOWN, GPADL_TORNDOWN. */
    public static final int MESSAGES_PER_CYCLE = 4;

    private static final String ECHO_INTERFACE = "a1f2d6f4-5d0e-4a52-9e2b-6c0f7d3e8a01";
    private static final int RAM_PAGES = 64;

    /**
     * What to run.
     *
     * @param sessionCounts concurrent session counts for the message rate
     * @param warmupIterations warm-up iterations per session count
     * @param warmupTime length of a warm-up iteration
     * @param iterations measured iterations per session count
     * @param iterationTime length of a measured iteration
     * @param connectChannels channels configured for the connect measurement
     * @param connectWarmup connects not measured
     * @param connectRepeats connects measured
     * @param timeout the longest wait for any one answer from the server
     */
    public record Options(
            List<Integer> sessionCounts,
            int warmupIterations,
            Duration warmupTime,
            int iterations,
            Duration iterationTime,
            int connectChannels,
            int connectWarmup,
            int connectRepeats,
            Duration timeout) {

        /** The defaults of {@code ./jvmbus bench transport}. */
        public static final Options DEFAULTS = new Options(
                List.of(1, 8, 64),
                3,
                Duration.ofSeconds(1),
                5,
                Duration.ofSeconds(2),
                256,
                20,
                100,
                Duration.ofSeconds(30));
    }

    /**
     * The message rate at one session count, over the measured iterations.
     *
     * @param sessions concurrent sessions
     * @param aggregate messages/s of all sessions together, one sample per iteration
     * @param perSession messages/s of one session, one sample per session and iteration
     */
    public record RateResult(int sessions, Stats aggregate, Stats perSession) {}

    /**
     * Connect-to-all-offers times.
     *
     * @param channels offers per connect
     * @param millis one sample per measured connect, in milliseconds
     */
    public record ConnectResult(int channels, Stats millis) {}

    /**
     * Everything measured.
     *
     * @param rates one per session count
     * @param connect the connect measurement
     */
    public record Result(List<RateResult> rates, ConnectResult connect) {}

    private TransportBench() {}

    /**
     * Runs both measurements and prints them.
     *
     * @param options what to run
     * @param out where the lines and the table go
     * @return the figures
     * @throws IOException if the server or the guest RAM cannot be set up
     * @throws InterruptedException if interrupted
     */
    public static Result run(final Options options, final PrintStream out) throws IOException, InterruptedException {
        final Path dir = Files.createTempDirectory("jvmbus-bench-transport");
        try {
            final List<RateResult> rates = new ArrayList<>();
            try (ServeChild server = ServeChild.start(Files.createDirectories(dir.resolve("rate")), config(1, "e"));
                    GuestRam ram = GuestRam.create(dir.resolve("guest.ram"), RAM_PAGES, true)) {
                out.printf(
                        Locale.ROOT,
                        "# message rate: jvmbus serve pid %d, 1 echo channel per session, GPADL cycle = %d messages,"
                                + " %d x %d ms warm-up, %d x %d ms measured%n",
                        server.pid(),
                        MESSAGES_PER_CYCLE,
                        options.warmupIterations(),
                        options.warmupTime().toMillis(),
                        options.iterations(),
                        options.iterationTime().toMillis());
                for (final int n : options.sessionCounts()) {
                    final RateResult r = rate(server.socket(), ram, n, options);
                    rates.add(r);
                    out.printf(
                            Locale.ROOT,
                            "RESULT transport-rate sessions=%d iterations=%d aggregate_msgs_per_s=%.0f"
                                    + " aggregate_sd=%.0f aggregate_min=%.0f aggregate_max=%.0f per_session_msgs_per_s=%.0f"
                                    + " per_session_min=%.0f per_session_max=%.0f cycle_us=%.1f%n",
                            n,
                            r.aggregate().count(),
                            r.aggregate().mean(),
                            r.aggregate().stddev(),
                            r.aggregate().min(),
                            r.aggregate().max(),
                            r.perSession().mean(),
                            r.perSession().min(),
                            r.perSession().max(),
                            1e6 * MESSAGES_PER_CYCLE / r.perSession().mean());
                }
                warnIfLogged(server, out);
            }
            final ConnectResult connect;
            final Path cdir = Files.createDirectories(dir.resolve("connect"));
            try (ServeChild server = ServeChild.start(cdir, config(options.connectChannels(), "c"));
                    GuestRam ram = GuestRam.create(dir.resolve("guest2.ram"), RAM_PAGES, true)) {
                out.printf(
                        Locale.ROOT,
                        "# connect: jvmbus serve pid %d, %d configured channels, %d warm-up + %d measured sessions%n",
                        server.pid(),
                        options.connectChannels(),
                        options.connectWarmup(),
                        options.connectRepeats());
                connect = connect(server.socket(), ram, options);
                out.printf(
                        Locale.ROOT,
                        "RESULT transport-connect channels=%d repeats=%d median_ms=%.3f p99_ms=%.3f mean_ms=%.3f"
                                + " sd_ms=%.3f min_ms=%.3f max_ms=%.3f%n",
                        connect.channels(),
                        connect.millis().count(),
                        connect.millis().median(),
                        connect.millis().p99(),
                        connect.millis().mean(),
                        connect.millis().stddev(),
                        connect.millis().min(),
                        connect.millis().max());
                warnIfLogged(server, out);
            }
            final Result result = new Result(List.copyOf(rates), connect);
            printTable(result, out);
            return result;
        } finally {
            deleteTree(dir);
        }
    }

    static String config(final int channels, final String prefix) {
        final StringBuilder b = new StringBuilder("{\"offers\":[");
        for (int i = 0; i < channels; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(String.format(
                    Locale.ROOT,
                    "{\"name\":\"%s%d\",\"device\":\"echo\",\"interface\":\"%s\",\"instance\":\"%08x-0000-0000-0000-%012x\"}",
                    prefix,
                    i,
                    ECHO_INTERFACE,
                    (int) prefix.charAt(0),
                    i));
        }
        return b.append("]}").toString();
    }

    private static RateResult rate(final Path socket, final GuestRam ram, final int n, final Options options)
            throws InterruptedException {
        final List<GuestSession> sessions = new ArrayList<>();
        final ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            final Thread t = new Thread(r, "bench-session");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int i = 0; i < n; i++) {
                final GuestSession s =
                        GuestSession.open(socket, ram, "bench-" + n + "-" + i, options.timeout(), 1 + (i << 20));
                sessions.add(s);
                s.connect(1);
            }
            for (int i = 0; i < options.warmupIterations(); i++) {
                iteration(pool, sessions, options.warmupTime(), options.timeout());
            }
            final double[] aggregate = new double[options.iterations()];
            final double[] perSession = new double[options.iterations() * n];
            for (int i = 0; i < options.iterations(); i++) {
                final long[][] r = iteration(pool, sessions, options.iterationTime(), options.timeout());
                long total = 0;
                long longest = 0;
                for (int k = 0; k < n; k++) {
                    total += r[k][0];
                    longest = Math.max(longest, r[k][1]);
                    perSession[i * n + k] = r[k][0] * MESSAGES_PER_CYCLE * 1e9 / r[k][1];
                }
                aggregate[i] = total * MESSAGES_PER_CYCLE * 1e9 / longest;
            }
            return new RateResult(n, Stats.of(aggregate), Stats.of(perSession));
        } finally {
            pool.shutdownNow();
            for (final GuestSession s : sessions) {
                s.close();
            }
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("session threads did not stop within 30 s");
            }
        }
    }

    /** Runs every session for {@code length} from one start; returns per session {cycles, nanoseconds}. */
    private static long[][] iteration(
            final ExecutorService pool,
            final List<GuestSession> sessions,
            final Duration length,
            final Duration timeout)
            throws InterruptedException {
        final CountDownLatch go = new CountDownLatch(1);
        final long[] start = new long[1];
        final List<Future<long[]>> futures = new ArrayList<>();
        for (int i = 0; i < sessions.size(); i++) {
            final GuestSession s = sessions.get(i);
            final long pfn = 8 + (i % (RAM_PAGES - 8));
            futures.add(pool.submit(() -> {
                go.await();
                final long t0 = start[0];
                final long deadline = t0 + length.toNanos();
                final int channel = s.channelIds().getFirst();
                long cycles = 0;
                long now;
                do {
                    s.gpadlCycle(channel, pfn);
                    cycles++;
                    now = System.nanoTime();
                } while (now < deadline);
                return new long[] {cycles, now - t0};
            }));
        }
        start[0] = System.nanoTime(); // published to the tasks by the latch
        go.countDown();
        final long[][] results = new long[sessions.size()][];
        final long waitNanos = length.toNanos() + timeout.toNanos() * 2;
        for (int i = 0; i < futures.size(); i++) {
            try {
                results[i] = futures.get(i).get(waitNanos, TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                throw new IllegalStateException("session " + i + " failed: " + e.getCause(), e.getCause());
            } catch (TimeoutException e) {
                throw new IllegalStateException("session " + i + " did not finish its iteration", e);
            }
        }
        return results;
    }

    private static ConnectResult connect(final Path socket, final GuestRam ram, final Options options) {
        final double[] millis = new double[options.connectRepeats()];
        for (int i = -options.connectWarmup(); i < options.connectRepeats(); i++) {
            try (GuestSession s = GuestSession.open(socket, ram, "bench-connect-" + i, options.timeout(), 1)) {
                final long nanos = s.connect(options.connectChannels());
                if (i >= 0) {
                    millis[i] = nanos / 1e6;
                }
            }
        }
        return new ConnectResult(options.connectChannels(), Stats.of(millis));
    }

    private static void printTable(final Result r, final PrintStream out) {
        out.println();
        out.println(
                "| sessions | aggregate messages/s (mean ± sd, min–max of iterations) | per session messages/s (mean,"
                        + " slowest–fastest) | µs per GPADL cycle (per session) |");
        out.println("| --- | --- | --- | --- |");
        for (final RateResult x : r.rates()) {
            out.printf(
                    Locale.ROOT,
                    "| %d | %s | %s (%s–%s) | %.1f |%n",
                    x.sessions(),
                    x.aggregate().meanSpread(),
                    Stats.human(x.perSession().mean()),
                    Stats.human(x.perSession().min()),
                    Stats.human(x.perSession().max()),
                    1e6 * MESSAGES_PER_CYCLE / x.perSession().mean());
        }
        out.println();
        final Stats c = r.connect().millis();
        out.println("| channels | connects | median ms | p99 ms | mean ± sd ms | min–max ms |");
        out.println("| --- | --- | --- | --- | --- | --- |");
        out.printf(
                Locale.ROOT,
                "| %d | %d | %.2f | %.2f | %.2f ± %.2f | %.2f–%.2f |%n",
                r.connect().channels(),
                c.count(),
                c.median(),
                c.p99(),
                c.mean(),
                c.stddev(),
                c.min(),
                c.max());
    }

    private static void warnIfLogged(final ServeChild server, final PrintStream out) {
        final List<String> lines = server.problems();
        if (!lines.isEmpty()) {
            out.println(
                    "# jvmbus serve logged " + lines.size() + " warning/error lines; the first: " + lines.getFirst());
        }
    }

    private static void deleteTree(final Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (final Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
