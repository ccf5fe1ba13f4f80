package io.jvmbus.cli;

import io.jvmbus.cli.demo.Demo;
import io.jvmbus.testkit.linux.LinuxVmbusGuest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jvmbus demo}: the seed scenario of servicing as a timeline, against real {@code jvmbus serve} processes (see
 * {@link Demo}).
 */
@Command(
        name = "demo",
        description = "Play the servicing story end to end: firmware with a reserved debug channel, the host serviced"
                + " (SAVE, new process, RESTORE) while only that channel is open, then the OS. Exit 0 only if every"
                + " check passed.")
final class DemoCommand implements Callable<Integer> {

    /** Exit status for bad options or a Linux guest tool that cannot be built. */
    static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--vms",
            paramLabel = "N",
            defaultValue = "1",
            description = "VMs at once, one session each (1..64)")
    int vms;

    @Option(names = "--verbose", description = "print every channel message, decoded, in both directions")
    boolean verbose;

    @Option(
            names = "--linux-guest",
            description = "the OS stage's data is moved by the real Linux guest code (shared/tools/linux-vmbus-guest,"
                    + " built here)")
    boolean linuxGuest;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            defaultValue = "10",
            description = "the longest wait for any one answer (default 10)")
    int timeoutSeconds;

    @Override
    public Integer call() {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        Path tool = null;
        if (linuxGuest) {
            try {
                tool = linuxGuestBinary();
            } catch (final IOException e) {
                err.println("jvmbus demo: --linux-guest needs shared/tools/linux-vmbus-guest built here: "
                        + e.getMessage());
                return USAGE;
            }
        }
        final Demo.Options options;
        try {
            options = new Demo.Options(vms, verbose, linuxGuest, tool, Duration.ofSeconds(Math.max(1, timeoutSeconds)));
        } catch (final IllegalArgumentException e) {
            err.println("jvmbus demo: " + e.getMessage());
            return USAGE;
        }
        return new Demo(options, out).run();
    }

    /**
     * The Linux guest tool, found as {@code ./jvmbus test} finds it: {@code jvmbus.linuxVmbusGuest}, else built from
     * the shared folder beside the checkout ({@code jvmbus.shared.dir}, else {@code ../shared} or {@code shared} of
     * {@code jvmbus.home}, the checkout the launcher runs from).
     */
    private static Path linuxGuestBinary() throws IOException {
        if (System.getProperty(LinuxVmbusGuest.PROPERTY) == null && System.getProperty("jvmbus.shared.dir") == null) {
            final String home = System.getProperty("jvmbus.home", System.getProperty("jvmbus.repo.root", "."));
            for (final String candidate : new String[] {"../shared", "shared"}) {
                final Path shared =
                        Path.of(home).toAbsolutePath().resolve(candidate).normalize();
                if (Files.isDirectory(shared.resolve("tools"))) {
                    System.setProperty("jvmbus.shared.dir", shared.toString());
                    break;
                }
            }
        }
        return LinuxVmbusGuest.binary();
    }
}
