package io.jvmbus.bench;

import io.jvmbus.bench.harness.LinuxTools;
import io.jvmbus.bench.linux.LinuxGuestBench;
import io.jvmbus.bench.transport.TransportBench;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./jvmbus bench ring|transport|linux}: the entry point of the benchmarks. {@code ring} runs the JMH ring
 * benchmarks; {@code transport} and {@code linux} run the timed harnesses ({@link TransportBench}, {@link
 * LinuxGuestBench}). Each prints the time, the load average before and after, and its results.
 */
@Command(
        name = "./jvmbus bench",
        mixinStandardHelpOptions = true,
        description = "Runs the benchmarks (see docs/performance.md).",
        subcommands = {BenchMain.Ring.class, BenchMain.Transport.class, BenchMain.Linux.class})
public final class BenchMain implements Callable<Integer> {

    /**
     * Runs a bench command.
     *
     * @param args {@code ring|transport|linux} and its options
     */
    public static void main(final String[] args) {
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 2;
    }

    static String loadAverage() {
        try {
            final String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static void header(final PrintStream out, final String what) {
        out.println("# " + what + " at " + Instant.now() + ", load average " + loadAverage() + ", "
                + Runtime.getRuntime().availableProcessors() + " CPUs, Java " + Runtime.version());
    }

    static void footer(final PrintStream out) {
        out.println("# done at " + Instant.now() + ", load average " + loadAverage());
    }

    /** {@code bench ring}: the JMH ring benchmarks. */
    @Command(
            name = "ring",
            mixinStandardHelpOptions = true,
            description = {
                "Runs the JMH benchmarks of io.jvmbus.bench.ring (memcpy, jvmbus ring, Linux peer).",
                "Arguments go to JMH; without any: -f 1 -wi 3 -w 2s -i 3 -r 2s. A first argument that is not an"
                        + " option is the benchmark regexp (default io.jvmbus.bench.ring)."
            })
    static final class Ring implements Callable<Integer> {

        @CommandLine.Unmatched
        List<String> jmh = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            return run(jmh).isEmpty() ? 1 : 0;
        }

        /**
         * Runs JMH with the ring defaults filled in.
         *
         * @param jmhArguments what the user gave after {@code ring}
         * @return JMH's results
         * @throws Exception if JMH or the peer build fails
         */
        static Collection<RunResult> run(final List<String> jmhArguments) throws Exception {
            final List<String> args = new ArrayList<>();
            final List<String> given = new ArrayList<>(jmhArguments);
            if (given.isEmpty() || given.getFirst().startsWith("-")) {
                args.add("io.jvmbus.bench.ring");
            } else {
                args.add(given.removeFirst());
            }
            if (given.isEmpty()) {
                args.addAll(List.of("-f", "1", "-wi", "3", "-w", "2s", "-i", "3", "-r", "2s"));
            } else {
                args.addAll(given);
            }
            // The forks need the peer binary: give them its path, built once here.
            args.addAll(List.of("-jvmArgsAppend", "-Djvmbus.linuxRingPeer=" + LinuxTools.linuxRingPeer()));
            header(System.out, "bench ring: org.openjdk.jmh.Main " + String.join(" ", args));
            final Collection<RunResult> results = new Runner(new CommandLineOptions(args.toArray(String[]::new))).run();
            footer(System.out);
            return results;
        }
    }

    /** {@code bench transport}. */
    @Command(
            name = "transport",
            mixinStandardHelpOptions = true,
            description = "Messages/s through jvmbus serve (GPADL create/teardown cycles) with 1, 8, 64 sessions, and"
                    + " connect-to-all-offers time with 256 channels.")
    static final class Transport implements Callable<Integer> {

        @Option(names = "--sessions", split = ",", description = "concurrent session counts (default 1,8,64)")
        List<Integer> sessions = TransportBench.Options.DEFAULTS.sessionCounts();

        @Option(names = "--warmup", description = "warm-up iterations per session count (default 3)")
        int warmup = TransportBench.Options.DEFAULTS.warmupIterations();

        @Option(names = "--warmup-ms", description = "warm-up iteration length (default 1000)")
        long warmupMs = TransportBench.Options.DEFAULTS.warmupTime().toMillis();

        @Option(names = "--iterations", description = "measured iterations per session count (default 5)")
        int iterations = TransportBench.Options.DEFAULTS.iterations();

        @Option(names = "--iteration-ms", description = "measured iteration length (default 2000)")
        long iterationMs = TransportBench.Options.DEFAULTS.iterationTime().toMillis();

        @Option(names = "--channels", description = "configured channels for the connect time (default 256)")
        int channels = TransportBench.Options.DEFAULTS.connectChannels();

        @Option(names = "--connect-warmup", description = "connects not measured (default 20)")
        int connectWarmup = TransportBench.Options.DEFAULTS.connectWarmup();

        @Option(names = "--connects", description = "connects measured (default 100)")
        int connects = TransportBench.Options.DEFAULTS.connectRepeats();

        @Override
        public Integer call() throws Exception {
            header(System.out, "bench transport");
            TransportBench.run(
                    new TransportBench.Options(
                            sessions,
                            warmup,
                            Duration.ofMillis(warmupMs),
                            iterations,
                            Duration.ofMillis(iterationMs),
                            channels,
                            connectWarmup,
                            connects,
                            TransportBench.Options.DEFAULTS.timeout()),
                    System.out);
            footer(System.out);
            return 0;
        }
    }

    /** {@code bench linux}. */
    @Command(
            name = "linux",
            mixinStandardHelpOptions = true,
            description = "The real Linux guest against jvmbus serve's echo device, next to linux-ring-peer"
                    + " bench --loopback (Linux at both ends).")
    static final class Linux implements Callable<Integer> {

        @Option(names = "--sizes", split = ",", description = "payload sizes in bytes (default 64,1024,4096)")
        List<Integer> sizes = LinuxGuestBench.Options.DEFAULTS.sizes();

        @Option(names = "--packets", description = "packets per streaming run (default 50000)")
        int packets = LinuxGuestBench.Options.DEFAULTS.packets();

        @Option(names = "--warmup", description = "warm-up streaming runs of each tool per size (default 1)")
        int warmup = LinuxGuestBench.Options.DEFAULTS.warmupRuns();

        @Option(names = "--runs", description = "measured streaming runs of each tool per size (default 5)")
        int runs = LinuxGuestBench.Options.DEFAULTS.runs();

        @Option(names = "--rtt-warmup", description = "single-packet runs not measured, per size (default 5)")
        int rttWarmup = LinuxGuestBench.Options.DEFAULTS.rttWarmup();

        @Option(names = "--rtt-runs", description = "single-packet runs measured, per size (default 30)")
        int rttRuns = LinuxGuestBench.Options.DEFAULTS.rttRuns();

        @Option(names = "--ring-kb", description = "ring size per direction in KiB (default 64)")
        int ringKb = LinuxGuestBench.Options.DEFAULTS.ringKb();

        @Override
        public Integer call() throws Exception {
            header(System.out, "bench linux");
            LinuxGuestBench.run(
                    new LinuxGuestBench.Options(
                            sizes,
                            packets,
                            warmup,
                            runs,
                            rttWarmup,
                            rttRuns,
                            ringKb,
                            LinuxGuestBench.Options.DEFAULTS.timeoutSeconds()),
                    System.out);
            footer(System.out);
            return 0;
        }
    }
}
