package io.jvmbus.cli.demo;

import io.jvmbus.client.GuestException;
import io.jvmbus.client.GuestRam;
import io.jvmbus.client.SocketGuestTransport;
import io.jvmbus.testkit.process.ServeProcess;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The seed scenario of servicing, played for real: a {@code jvmbus serve} child process, N VMs attached to it over the
 * host transport (each with its own RAM file, firmware, debug channel and debugger), the host serviced in the window
 * where only the reserved debug channel is open (every VM SAVEs, one new process, every VM RESTOREs), then the OS stage.
 * Prints a timeline and a summary; {@link #run()} returns 0 only if every check passed.
 */
public final class Demo {

    /** Exit status when every check passed. */
    public static final int PASSED = 0;
    /** Exit status when a check failed or a step could not be carried out. */
    public static final int FAILED = 1;

    /**
     * What to play.
     *
     * @param vms how many VMs at once (1..64)
     * @param verbose whether to print every channel message decoded
     * @param linuxGuest whether the OS stage's data is moved by the real Linux guest code
     * @param linuxGuestBinary the {@code linux-vmbus-guest} binary (required with {@code linuxGuest})
     * @param timeout the longest wait for any one answer
     */
    public record Options(int vms, boolean verbose, boolean linuxGuest, Path linuxGuestBinary, Duration timeout) {

        /**
         * Checks the values.
         *
         * @throws IllegalArgumentException for a VM count outside 1..64
         */
        public Options {
            if (vms < 1 || vms > 64) {
                throw new IllegalArgumentException("--vms " + vms + " (expected: 1..64)");
            }
            if (linuxGuest && linuxGuestBinary == null) {
                throw new IllegalArgumentException("--linux-guest without the linux-vmbus-guest binary");
            }
        }
    }

    private final Options options;
    private final PrintWriter out;
    private final Timeline timeline;
    private final Checks checks;

    /**
     * A demo writing to {@code out}.
     *
     * @param options what to play
     * @param out where the timeline and summary go
     */
    public Demo(final Options options, final PrintWriter out) {
        this.options = options;
        this.out = out;
        this.timeline = new Timeline(out, options.vms() > 1, options.verbose());
        this.checks = new Checks(timeline);
    }

    /**
     * Plays the story.
     *
     * @return {@link #PASSED} or {@link #FAILED}
     */
    public int run() {
        final Path dir;
        try {
            dir = Files.createTempDirectory("jvmbus-demo-");
        } catch (final IOException e) {
            out.println("jvmbus demo: cannot create a temporary directory: " + e.getMessage());
            return FAILED;
        }
        final List<VmScenario> vms = new ArrayList<>();
        for (int i = 1; i <= options.vms(); i++) {
            vms.add(new VmScenario("vm" + i, dir, timeline, checks, options.timeout()));
        }
        final ExecutorService pool = Executors.newFixedThreadPool(options.vms(), r -> {
            final Thread t = new Thread(r, "jvmbus-demo-vm");
            t.setDaemon(true);
            return t;
        });
        final List<ServeProcess> servers = new ArrayList<>();
        // If this JVM is stopped (Ctrl-C), its server children go with it.
        final Thread reaper = new Thread(
                () -> {
                    synchronized (servers) {
                        servers.forEach(s -> ProcessHandle.of(s.pid()).ifPresent(ProcessHandle::destroyForcibly));
                    }
                },
                "jvmbus-demo-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        LinuxStage.Result linux = null;
        long[] pids = new long[2];
        try {
            timeline.plain("jvmbus demo: the servicing story, " + options.vms() + " VM" + (options.vms() > 1 ? "s" : "")
                    + ", in " + dir);
            timeline.step(
                    null,
                    "host",
                    "starting jvmbus serve as a child process (a JVM of its own, C1 only for a quick start)");
            final ServeProcess serve1 = startServer(dir, 1, servers);
            pids[0] = serve1.pid();
            warmUp(serve1, "serve-1", dir);
            List<VmScenario> alive = everyVm(pool, vms, vm -> {
                vm.attach(serve1.socket(), "serve-1");
                vm.firmwareStage();
                vm.beforeServicing();
            });

            // ---- servicing: the replacement starts and is readied first; then each VM pauses, SAVEs, leaves the
            // old process, attaches to the new one and RESTOREs; the old process exits once every VM has moved ----
            timeline.step(null, "host", "servicing begins: the debug channel is the only open channel");
            final ServeProcess serve2 = startServer(dir, 2, servers);
            pids[1] = serve2.pid();
            warmUp(serve2, "serve-2", dir);
            alive = everyVm(pool, alive, vm -> {
                vm.save();
                vm.debuggerSeesOldSessionGo();
                vm.restore(serve2.socket(), "serve-2");
            });
            final int exit = serve1.stop();
            timeline.step(
                    null,
                    "host",
                    "serve-1 (pid " + serve1.pid() + ") stopped after every VM moved, exit status " + exit);
            checks.check(null, "old server process exits cleanly", exit == 0 || exit == 143, "exit status " + exit);

            // ---- the OS ----
            alive = everyVm(pool, alive, vm -> vm.osStage(!options.linuxGuest()));
            if (options.linuxGuest()) {
                linux = LinuxStage.run(options.linuxGuestBinary(), serve2.socket(), dir, vms.size(), timeline, checks);
            }
            for (final VmScenario vm : vms) {
                checks.check(vm.vm(), "story played to the end", alive.contains(vm), "stopped early (see above)");
            }
        } catch (final IOException | UncheckedIOException | DemoException e) {
            timeline.step(null, "host", "cannot go on: " + e.getMessage());
            checks.check(null, "demo infrastructure", false, String.valueOf(e.getMessage()));
        } finally {
            pool.shutdownNow();
            for (final VmScenario vm : vms) {
                vm.close();
            }
            synchronized (servers) {
                for (final ServeProcess s : servers) {
                    try {
                        s.stop();
                    } catch (final IOException | RuntimeException e) {
                        timeline.step(null, "host", "stopping serve (pid " + s.pid() + "): " + e.getMessage());
                    }
                }
            }
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (final IllegalStateException e) {
                // already shutting down: the hook runs
            }
        }
        summary(vms, pids, linux);
        final boolean passed = checks.allPassed();
        if (passed) {
            deleteTree(dir);
        } else {
            timeline.plain("logs kept in " + dir);
        }
        return passed ? PASSED : FAILED;
    }

    private ServeProcess startServer(final Path dir, final int n, final List<ServeProcess> servers) throws IOException {
        final Path socket = dir.resolve("serve-" + n + ".sock");
        final ServeProcess s = ServeProcess.start(new ServeProcess.Options(
                socket,
                dir,
                List.of("--log-level", "info"),
                List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                Duration.ofSeconds(60),
                Duration.ofSeconds(10)));
        synchronized (servers) {
            servers.add(s);
        }
        timeline.step(
                null,
                "host",
                "serve-" + n + " started: jvmbus serve --socket " + socket.getFileName() + " (pid " + s.pid() + ")");
        return s;
    }

    /**
     * Readies a server process before any VM relies on it, as a VMM readies a replacement before it pauses a VM: a
     * probe session runs HELLO, inspect, SAVE and RESTORE of its own (empty) state, so the code paths every session
     * needs are loaded and the blackout measures the handover, not a cold JVM. Reported, not checked: the VMs' own
     * SAVE and RESTORE are the checks.
     */
    private void warmUp(final ServeProcess serve, final String name, final Path dir) {
        String outcome;
        try (GuestRam probeRam = GuestRam.create(dir.resolve(name + "-probe.ram"), 2, true);
                SocketGuestTransport probe =
                        SocketGuestTransport.connect(serve.socket(), probeRam, 1, "demo-probe", options.timeout())) {
            final Path endpoint = dir.resolve(name + "-probe.sock");
            outcome = probeOffers(probe, endpoint) ? "offers, inspect" : "offers refused, inspect";
            try {
                final byte[] state = probe.save();
                outcome += ", SAVE";
                probe.close(); // the session ends, and its pipe endpoint with it
                try (SocketGuestTransport again =
                        SocketGuestTransport.connect(serve.socket(), probeRam, 1, "demo-probe", options.timeout())) {
                    probeOffers(again, endpoint);
                    again.restore(state);
                    outcome += ", RESTORE";
                }
            } catch (final GuestException e) {
                outcome += "; " + e.getMessage();
            }
        } catch (final GuestException e) {
            outcome = "probe failed: " + e.getMessage();
        }
        timeline.step(null, "host", name + " readied by a probe session (HELLO, " + outcome + ")");
    }

    /** Offers the kinds of devices a VM has (a pipe on its own endpoint, an echo), then inspects. */
    private static boolean probeOffers(final SocketGuestTransport probe, final Path endpoint) {
        final String pipe = probe.control("{\"op\":\"offer\",\"name\":\"p\",\"device\":\"pipe\",\"interface\":\""
                + VmScenario.DEBUG_INTERFACE + "\",\"instance\":\"" + VmScenario.DEBUG_INSTANCE
                + "\",\"endpoint\":\"unix:" + endpoint + "\"}");
        final String echo = probe.control("{\"op\":\"offer\",\"name\":\"e\",\"device\":\"echo\",\"interface\":\""
                + VmScenario.ECHO_INTERFACE + "\",\"instance\":\"" + VmScenario.ECHO_INSTANCE + "\"}");
        final String inspect = probe.control("{\"op\":\"inspect\"}");
        return pipe.contains("\"ok\":true") && echo.contains("\"ok\":true") && inspect.contains("\"ok\":true");
    }

    /**
     * Runs {@code step} for every VM at once; a VM whose step fails is reported and dropped from the story.
     *
     * @return the VMs whose step succeeded, in their order
     */
    private List<VmScenario> everyVm(
            final ExecutorService pool, final List<VmScenario> vms, final Consumer<VmScenario> step) {
        final List<Future<?>> futures = new ArrayList<>();
        for (final VmScenario vm : vms) {
            futures.add(pool.submit(() -> step.accept(vm)));
        }
        final List<VmScenario> ok = new ArrayList<>();
        for (int i = 0; i < vms.size(); i++) {
            try {
                futures.get(i).get();
                ok.add(vms.get(i));
            } catch (final ExecutionException e) {
                final Throwable cause = e.getCause();
                final String why = cause instanceof RuntimeException && cause.getMessage() != null
                        ? cause.getMessage()
                        : String.valueOf(cause);
                timeline.step(vms.get(i).vm(), "CHECK", "FAILED: the story stops here: " + why);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DemoException("interrupted", e);
            }
        }
        return ok;
    }

    private void summary(final List<VmScenario> vms, final long[] pids, final LinuxStage.Result linux) {
        long toHost = 0;
        long toGuest = 0;
        long echoPackets = 0;
        long echoBytes = 0;
        long debugBytes = 0;
        final List<Long> blackouts = new ArrayList<>();
        final List<Long> savedSizes = new ArrayList<>();
        for (final VmScenario vm : vms) {
            final VmScenario.Tally t = vm.tally();
            toHost += t.messagesToHost.get();
            toGuest += t.messagesToGuest.get();
            echoPackets += t.echoPackets.get();
            echoBytes += t.echoBytes.get();
            debugBytes += t.debugBytes.get();
            if (t.blackoutNanos >= 0) {
                blackouts.add(t.blackoutNanos);
            }
            if (t.savedStateBytes >= 0) {
                savedSizes.add(t.savedStateBytes);
            }
        }
        timeline.plain("");
        timeline.plain("summary");
        timeline.plain("  VMs                 " + vms.size() + " (sessions in serve-1 pid " + pids[0]
                + ", then serve-2 pid " + pids[1] + ")");
        timeline.plain("  stages              firmware: jvmbus client (UEFI style, VMBus 4.0) in each VM's session; "
                + (linux == null
                        ? "OS: jvmbus client (Copper style) in the same session, after servicing"
                        : "OS data: the real Linux 6.1 guest code (linux-vmbus-guest: its own VMM, RAM and"
                                + " session per VM, in serve-2); OS debug channel: jvmbus client (Copper style) in"
                                + " each VM's own session"));
        timeline.plain("  channel messages    " + (toHost + toGuest) + " (" + toHost + " guest->host, " + toGuest
                + " host->guest" + (linux == null ? "" : "; plus the Linux guest's, not counted here") + ")");
        if (linux == null) {
            timeline.plain("  echo data           " + echoPackets + " packets, " + echoBytes + " bytes (both ways)");
        } else {
            timeline.plain("  echo data           " + linux.packets() + " packets echoed and checked by Linux (VMBus "
                    + String.join(", ", linux.vmbus()) + ")");
        }
        timeline.plain("  debug channel data  " + debugBytes + " bytes between the debugger and the guests");
        if (blackouts.isEmpty()) {
            timeline.plain("  servicing blackout  not measured (servicing did not complete)");
        } else {
            blackouts.sort(Comparator.naturalOrder());
            final String range = blackouts.size() == 1
                    ? ms(blackouts.getFirst())
                    : "min " + ms(blackouts.getFirst()) + ", median " + ms(blackouts.get(blackouts.size() / 2))
                            + ", max " + ms(blackouts.getLast());
            timeline.plain("  servicing blackout  " + range + " (SAVE sent to RESTORED, per VM; saved state "
                    + savedSizes.stream().mapToLong(Long::longValue).max().orElse(0) + " bytes at most)");
        }
        timeline.plain("  checks              " + (checks.outcomes().size() - checks.failed()) + " passed, "
                + checks.failed() + " failed");
        for (final String line : checks.summaryLines()) {
            timeline.plain(line);
        }
        timeline.plain(checks.allPassed() ? "PASS" : "FAIL");
    }

    private static String ms(final long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    private static void deleteTree(final Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (final IOException e) {
                    // best effort: a temp dir
                }
            });
        } catch (final IOException e) {
            // best effort
        }
    }
}
