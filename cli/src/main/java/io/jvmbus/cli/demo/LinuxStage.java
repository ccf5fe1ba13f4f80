package io.jvmbus.cli.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OS stage's data moved by the real Linux guest code: one {@code linux-vmbus-guest} run per VM against the new
 * server process. The tool is its own VMM with its own RAM file, so each run is a session of its own (VM name {@code
 * vmN-linux}); Linux negotiates in its own fallback order, opens the echo channel with {@code vmbus_open()}, sends
 * packets and checks every echo, and unloads with {@code vmbus_exit()}.
 */
final class LinuxStage {

    /** Echo packets per run. */
    static final int PACKETS = 64;

    private static final Pattern PASS_FIELD = Pattern.compile("(\\w+)=(\\S+)");
    /** The tool's own time stamp and thread column, replaced by the timeline's. */
    private static final Pattern TOOL_PREFIX = Pattern.compile("^\\[\\s*[\\d.]+\\]\\s*\\[[^\\]]*\\]\\s*");

    /**
     * What the runs moved.
     *
     * @param packets echo packets checked by Linux, all runs
     * @param vmbus the versions Linux negotiated, as its PASS lines say
     */
    record Result(long packets, List<String> vmbus) {}

    private LinuxStage() {}

    static Result run(
            final Path binary,
            final Path socket,
            final Path dir,
            final int vms,
            final Timeline timeline,
            final Checks checks) {
        final List<Process> processes = new ArrayList<>();
        final List<Thread> readers = new ArrayList<>();
        final List<List<String>> outputs = new ArrayList<>();
        for (int i = 1; i <= vms; i++) {
            final String vm = "vm" + i;
            final List<String> cmd = List.of(
                    binary.toString(),
                    socket.toString(),
                    "--vm-name",
                    vm + "-linux",
                    "--ram",
                    dir.resolve(vm + "-linux.ram").toString(),
                    "--ram-mb",
                    "16",
                    "--offer",
                    "echo0:echo:" + VmScenario.ECHO_INTERFACE + ":" + VmScenario.ECHO_INSTANCE,
                    "--packets",
                    Integer.toString(PACKETS),
                    "--size",
                    "1:4000",
                    "--unload",
                    "-q");
            timeline.step(
                    vm,
                    "linux",
                    "linux-vmbus-guest: the real Linux 6.1 VMBus code, its own VMM and RAM, as" + " session '" + vm
                            + "-linux' of serve-2");
            final Process p;
            try {
                p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            } catch (final IOException e) {
                checks.check(vm, "Linux guest passes", false, "cannot start " + binary + ": " + e.getMessage());
                processes.add(null);
                outputs.add(List.of());
                continue;
            }
            processes.add(p);
            final List<String> lines = new ArrayList<>();
            outputs.add(lines);
            readers.add(Thread.ofVirtual().name("demo-linux-output").start(() -> relay(p, vm, lines, timeline)));
        }
        long packets = 0;
        final List<String> versions = new ArrayList<>();
        for (int i = 0; i < vms; i++) {
            final String vm = "vm" + (i + 1);
            final Process p = processes.get(i);
            if (p == null) {
                continue;
            }
            int exit;
            try {
                if (p.waitFor(60, TimeUnit.SECONDS)) {
                    exit = p.exitValue();
                } else {
                    p.destroyForcibly();
                    exit = -1;
                }
            } catch (final InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                exit = -1;
            }
            for (final Thread t : readers) {
                try {
                    t.join(TimeUnit.SECONDS.toMillis(5));
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            final List<String> lines;
            synchronized (outputs.get(i)) {
                lines = List.copyOf(outputs.get(i));
            }
            final String last = lines.isEmpty() ? "" : lines.getLast();
            final boolean pass = exit == 0 && last.startsWith("linux-vmbus-guest: PASS");
            checks.check(vm, "Linux guest moves the echo data (PASS)", pass, "exit " + exit + ", last line: " + last);
            if (pass) {
                final Matcher m = PASS_FIELD.matcher(last);
                while (m.find()) {
                    if (m.group(1).equals("vmbus")) {
                        versions.add(m.group(2));
                    } else if (m.group(1).equals("echoed")) {
                        packets += Long.parseLong(m.group(2).replaceAll("\\D.*", ""));
                    }
                }
            }
        }
        return new Result(packets, versions);
    }

    private static void relay(final Process p, final String vm, final List<String> lines, final Timeline timeline) {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                }
                timeline.step(
                        vm, "linux", TOOL_PREFIX.matcher(line).replaceFirst("").strip());
            }
        } catch (final IOException e) {
            // the process ended; its exit status tells the rest
        }
    }
}
