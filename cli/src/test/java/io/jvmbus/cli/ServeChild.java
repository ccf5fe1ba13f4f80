package io.jvmbus.cli;

import io.jvmbus.testkit.transport.TestVmm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code jvmbus serve} in a child JVM (this test run's classpath), its output in a log file. Started, it is
 * ready: a test VMM session has been accepted and answered. Closing it sends SIGTERM and waits for the exit.
 */
final class ServeChild implements AutoCloseable {

    private static final Duration READY = Duration.ofSeconds(60);

    private final Path socket;
    private final Path log;
    private final Process process;
    private int exitCode = -1;

    private ServeChild(final Path socket, final Path log, final Process process) {
        this.socket = socket;
        this.log = log;
        this.process = process;
    }

    /**
     * Starts {@code serve --socket SOCKET} and waits until it answers a HELLO.
     *
     * @param socket the Unix socket path
     * @param log where its stdout and stderr go
     * @param extra more {@code serve} options
     */
    static ServeChild start(final Path socket, final Path log, final String... extra) throws IOException {
        final List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-cp",
                System.getProperty("java.class.path"),
                "io.jvmbus.cli.Main",
                "serve",
                "--socket",
                socket.toString()));
        cmd.addAll(List.of(extra));
        final Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        final ServeChild child = new ServeChild(socket, log, p);
        try (TestVmm probe = TestVmm.connect(socket, READY)) {
            probe.hello("serve-child-probe");
        } catch (final IOException | RuntimeException e) {
            child.close();
            throw new IOException(
                    "jvmbus serve did not come up on " + socket + ": " + e.getMessage() + "\n" + child.logText());
        }
        return child;
    }

    Path socket() {
        return socket;
    }

    Path log() {
        return log;
    }

    boolean alive() {
        return process.isAlive();
    }

    String logText() {
        try {
            return Files.readString(log);
        } catch (final IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** The exit status after {@link #close()} (-1 before, or if it had to be killed). */
    int exitCode() {
        return exitCode;
    }

    /** SIGTERM, then waits up to 30 s (then SIGKILL). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (process.waitFor(30, TimeUnit.SECONDS)) {
                exitCode = process.exitValue();
            } else {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (final InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
