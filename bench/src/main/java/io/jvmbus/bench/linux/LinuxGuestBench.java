package io.jvmbus.bench.linux;

import io.jvmbus.bench.harness.LinuxTools;
import io.jvmbus.bench.harness.ServeChild;
import io.jvmbus.bench.harness.Stats;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code ./jvmbus bench linux}: the real Linux guest ({@code linux-vmbus-guest}: Linux 6.1's VMBus driver code and ring
 * buffer, unmodified) against the {@code echo} device of a {@code jvmbus serve} child process, next to Linux's ring
 * code at both ends ({@code linux-ring-peer bench --loopback}) in the same run.
 *
 * <p>Per payload size:
 *
 * <ul>
 *   <li><b>jvmbus streaming</b>: one guest run with {@code --packets N --size S:S}: the guest sends N in-band packets
 *       with {@code vmbus_sendpacket} while the host echoes each one back, and checks every echo byte for byte. The
 *       time is the guest's own: the interval between its two "step 5" lines (traffic start, all N echoed), which
 *       it prints with 0.1 ms resolution. Connect, offers, open and close are outside it. Rate = N / interval; MB/s
 *       = N × S / interval / 10^6, per direction (every packet crosses both ways).
 *   <li><b>jvmbus round trip</b>: guest runs with {@code --packets 1}; the same interval is one packet's round trip
 *       (guest write and signal, the host's echo and signal, the guest's read and check) plus the tool's step
 *       bookkeeping. Median and p99 over the runs; the 0.1 ms clock resolution is a floor on what it can show.
 *   <li><b>Linux ↔ Linux</b>: {@code linux-ring-peer bench FILE P P --count N --size S:S --loopback}: Linux writes N
 *       packets guest→host and N host→guest at the same time, with Linux's ring code on both ends (4 threads). Rate
 *       = N / the peer's {@code seconds} (until both directions are done), so it compares with the echo rate, where
 *       both directions also carry N packets; the per-direction rates are printed too.
 * </ul>
 *
 * jvmbus and Linux runs alternate, after warm-up runs of each, so that machine load drifts into both. Each run is a
 * new process for the guest (and a new session for the server, which stays up).
 */
public final class LinuxGuestBench {

    private static final String ECHO_INTERFACE = "a1f2d6f4-5d0e-4a52-9e2b-6c0f7d3e8a01";
    private static final String ECHO_INSTANCE = "33333333-0000-0000-0000-000000000001";
    private static final Pattern STEP5_START = Pattern.compile(
            "^\\[\\s*([0-9.]+)\\] \\[[^]]*\\] step 5: (\\d+) packets per open channel", Pattern.MULTILINE);
    private static final Pattern STEP5_END = Pattern.compile(
            "^\\[\\s*([0-9.]+)\\] \\[[^]]*\\] step 5: (\\d+) packets echoed on every open channel", Pattern.MULTILINE);

    /**
     * What to run.
     *
     * @param sizes payload sizes in bytes
     * @param packets packets per streaming run (both tools)
     * @param warmupRuns streaming runs of each tool not measured, per size
     * @param runs measured streaming runs of each tool, per size
     * @param rttWarmup single-packet runs not measured, per size
     * @param rttRuns single-packet runs measured, per size
     * @param ringKb ring size per direction in KiB, header page included (both tools)
     * @param timeoutSeconds the guest's {@code --timeout} and the peer's
     */
    public record Options(
            List<Integer> sizes,
            int packets,
            int warmupRuns,
            int runs,
            int rttWarmup,
            int rttRuns,
            int ringKb,
            int timeoutSeconds) {

        /** The defaults of {@code ./jvmbus bench linux}. */
        public static final Options DEFAULTS = new Options(List.of(64, 1024, 4096), 50_000, 1, 5, 5, 30, 64, 60);
    }

    /**
     * The figures for one payload size.
     *
     * @param size payload bytes
     * @param jvmbus echo packets/s of the Linux guest against jvmbus, one sample per run
     * @param rttMicros single-packet round trips in µs
     * @param linux packets/s of Linux ↔ Linux (both directions done), one sample per run
     * @param linuxG2h Linux ↔ Linux guest→host packets/s
     * @param linuxH2g Linux ↔ Linux host→guest packets/s
     */
    public record SizeResult(int size, Stats jvmbus, Stats rttMicros, Stats linux, Stats linuxG2h, Stats linuxH2g) {

        /**
         * jvmbus / Linux, of the mean rates.
         *
         * @return the ratio
         */
        public double ratio() {
            return jvmbus.mean() / linux.mean();
        }
    }

    private LinuxGuestBench() {}

    /**
     * Runs everything and prints it.
     *
     * @param options what to run
     * @param out where the lines and the table go
     * @return one result per size
     * @throws IOException if a process cannot be started
     * @throws InterruptedException if interrupted
     */
    public static List<SizeResult> run(final Options options, final PrintStream out)
            throws IOException, InterruptedException {
        final Path guest = LinuxTools.linuxVmbusGuest();
        final Path peer = LinuxTools.linuxRingPeer();
        final Path dir = Files.createTempDirectory("jvmbus-bench-linux");
        final List<SizeResult> results = new ArrayList<>();
        try (ServeChild server = ServeChild.start(dir, null)) {
            out.printf(
                    Locale.ROOT,
                    "# jvmbus serve pid %d; guest %s; peer %s; %d packets per streaming run, %d KiB rings,"
                            + " %d warm-up + %d runs each; round trip %d warm-up + %d runs%n",
                    server.pid(),
                    guest,
                    peer,
                    options.packets(),
                    options.ringKb(),
                    options.warmupRuns(),
                    options.runs(),
                    options.rttWarmup(),
                    options.rttRuns());
            for (final int size : options.sizes()) {
                final SizeResult r = size(guest, peer, server, dir, size, options);
                results.add(r);
                out.printf(
                        Locale.ROOT,
                        "RESULT linux size=%d runs=%d jvmbus_pkts_per_s=%.0f jvmbus_sd=%.0f jvmbus_min=%.0f"
                                + " jvmbus_max=%.0f jvmbus_mb_per_s=%.2f rtt_median_us=%.0f rtt_p99_us=%.0f"
                                + " rtt_mean_us=%.0f linux_pkts_per_s=%.0f linux_sd=%.0f linux_min=%.0f linux_max=%.0f"
                                + " linux_mb_per_s=%.2f linux_g2h_pkts_per_s=%.0f linux_h2g_pkts_per_s=%.0f"
                                + " ratio=%.3f%n",
                        size,
                        r.jvmbus().count(),
                        r.jvmbus().mean(),
                        r.jvmbus().stddev(),
                        r.jvmbus().min(),
                        r.jvmbus().max(),
                        r.jvmbus().mean() * size / 1e6,
                        r.rttMicros().median(),
                        r.rttMicros().p99(),
                        r.rttMicros().mean(),
                        r.linux().mean(),
                        r.linux().stddev(),
                        r.linux().min(),
                        r.linux().max(),
                        r.linux().mean() * size / 1e6,
                        r.linuxG2h().mean(),
                        r.linuxH2g().mean(),
                        r.ratio());
            }
            final List<String> problems = server.problems();
            if (!problems.isEmpty()) {
                out.println("# jvmbus serve logged " + problems.size() + " warning/error lines; the first: "
                        + problems.getFirst());
            }
        } finally {
            deleteTree(dir);
        }
        printTable(results, out);
        return results;
    }

    private static SizeResult size(
            final Path guest, final Path peer, final ServeChild server, final Path dir, final int size, final Options o)
            throws IOException, InterruptedException {
        final double[] jvmbus = new double[o.runs()];
        final double[] linux = new double[o.runs()];
        final double[] g2h = new double[o.runs()];
        final double[] h2g = new double[o.runs()];
        for (int i = -o.warmupRuns(); i < o.runs(); i++) {
            final double seconds = guestSeconds(guest, server, dir, size, o.packets(), o);
            if (seconds <= 0) {
                throw new IllegalStateException(o.packets() + " packets took less than the guest's 0.1 ms clock tick"
                        + " (expected: more packets per run)");
            }
            final double j = o.packets() / seconds;
            final Map<String, String> p = loopback(peer, dir, size, o);
            if (i >= 0) {
                jvmbus[i] = j;
                linux[i] = o.packets() / Double.parseDouble(p.get("seconds"));
                g2h[i] = Double.parseDouble(p.get("send_pkts_per_s"));
                h2g[i] = Double.parseDouble(p.get("recv_pkts_per_s"));
            }
        }
        final double[] rtt = new double[o.rttRuns()];
        for (int i = -o.rttWarmup(); i < o.rttRuns(); i++) {
            final double us = guestSeconds(guest, server, dir, size, 1, o) * 1e6;
            if (i >= 0) {
                rtt[i] = us;
            }
        }
        return new SizeResult(size, Stats.of(jvmbus), Stats.of(rtt), Stats.of(linux), Stats.of(g2h), Stats.of(h2g));
    }

    /** One guest run; returns the traffic interval in seconds. */
    static double guestSeconds(
            final Path guest,
            final ServeChild server,
            final Path dir,
            final int size,
            final int packets,
            final Options o)
            throws IOException, InterruptedException {
        final String out = runTool(
                dir,
                o.timeoutSeconds(),
                guest.toString(),
                server.socket().toString(),
                "--offer",
                "echo0:echo:" + ECHO_INTERFACE + ":" + ECHO_INSTANCE,
                "--packets",
                Integer.toString(packets),
                "--size",
                size + ":" + size,
                "--ring-kb",
                Integer.toString(o.ringKb()),
                "--timeout",
                Integer.toString(o.timeoutSeconds()),
                "-q");
        return trafficSeconds(out, packets);
    }

    /**
     * The interval between the guest's step-5 lines.
     *
     * @param output the guest's output
     * @param packets the packets it was asked to send
     * @return seconds
     * @throws IllegalStateException if the lines are missing, name another count, or the run did not pass
     */
    static double trafficSeconds(final String output, final int packets) {
        if (!output.contains("linux-vmbus-guest: PASS")) {
            throw new IllegalStateException("linux-vmbus-guest did not pass: " + tail(output));
        }
        final Matcher a = STEP5_START.matcher(output);
        final Matcher b = STEP5_END.matcher(output);
        if (!a.find() || !b.find()) {
            throw new IllegalStateException("no step 5 lines in: " + tail(output));
        }
        if (Integer.parseInt(a.group(2)) != packets || Integer.parseInt(b.group(2)) != packets) {
            throw new IllegalStateException(
                    "step 5 counts " + a.group(2) + "/" + b.group(2) + " (expected: " + packets + ")");
        }
        return Double.parseDouble(b.group(1)) - Double.parseDouble(a.group(1));
    }

    private static Map<String, String> loopback(final Path peer, final Path dir, final int size, final Options o)
            throws IOException, InterruptedException {
        final Path ring = Path.of("/dev/shm").toFile().canWrite()
                ? Path.of(
                        "/dev/shm",
                        "jvmbus-bench-lrp-" + ProcessHandle.current().pid() + ".ring")
                : dir.resolve("lrp.ring");
        final String pages = Integer.toString(o.ringKb() / 4);
        try {
            final String out = runTool(
                    dir,
                    o.timeoutSeconds(),
                    peer.toString(),
                    "bench",
                    ring.toString(),
                    pages,
                    pages,
                    "--count",
                    Integer.toString(o.packets()),
                    "--size",
                    size + ":" + size,
                    "--max-pkt",
                    Integer.toString(Math.max(4096, 16 + ((size + 7) & ~7))),
                    "--timeout",
                    Integer.toString(o.timeoutSeconds()),
                    "--loopback");
            final Map<String, String> r = resultLine(out);
            if (!"0".equals(r.get("status")) || !Integer.toString(o.packets()).equals(r.get("packets_received"))) {
                throw new IllegalStateException("linux-ring-peer bench failed: " + tail(out));
            }
            return r;
        } finally {
            Files.deleteIfExists(ring);
        }
    }

    /**
     * The key=value pairs of the peer's {@code RESULT} line.
     *
     * @param output the peer's output
     * @return the pairs in order
     */
    static Map<String, String> resultLine(final String output) {
        final String line = output.lines()
                .filter(l -> l.startsWith("RESULT "))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no RESULT line: " + tail(output)));
        final Map<String, String> values = new LinkedHashMap<>();
        for (final String kv : line.substring(7).split(" ")) {
            final int eq = kv.indexOf('=');
            if (eq > 0) {
                values.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return values;
    }

    private static String runTool(final Path dir, final int timeoutSeconds, final String... cmd)
            throws IOException, InterruptedException {
        final Path out = Files.createTempFile(dir, "tool", ".out");
        try {
            final Process p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectOutput(out.toFile())
                    .start();
            if (!p.waitFor(timeoutSeconds + 30L, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(cmd[0] + " did not finish: " + tail(Files.readString(out)));
            }
            final String text = Files.readString(out);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(cmd[0] + " exit " + p.exitValue() + ": " + tail(text));
            }
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static String tail(final String text) {
        final List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
    }

    private static void printTable(final List<SizeResult> results, final PrintStream out) {
        out.println();
        out.println(
                "| payload | jvmbus echo packets/s (mean ± sd, min–max) | jvmbus MB/s each way | round trip µs median"
                        + " / p99 | Linux↔Linux packets/s (mean ± sd, min–max) | Linux↔Linux MB/s | g2h / h2g packets/s"
                        + " | jvmbus / Linux |");
        out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
        for (final SizeResult r : results) {
            out.printf(
                    Locale.ROOT,
                    "| %s | %s | %.1f | %.0f / %.0f | %s | %.1f | %s / %s | %.2f |%n",
                    r.size() >= 1024 ? (r.size() / 1024) + " KiB" : r.size() + " B",
                    r.jvmbus().meanSpread(),
                    r.jvmbus().mean() * r.size() / 1e6,
                    r.rttMicros().median(),
                    r.rttMicros().p99(),
                    r.linux().meanSpread(),
                    r.linux().mean() * r.size() / 1e6,
                    Stats.human(r.linuxG2h().mean()),
                    Stats.human(r.linuxH2g().mean()),
                    r.ratio());
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
