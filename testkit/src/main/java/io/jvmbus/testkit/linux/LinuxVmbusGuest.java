package io.jvmbus.testkit.linux;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code linux-vmbus-guest} tool: a VMM plus the real Linux VMBus guest code, attaching to a host transport
 * socket. The binary comes from the system property {@value #PROPERTY} (set by {@code ./jvmbus test}), or is built
 * with {@code <shared>/tools/linux-vmbus-guest/build.sh -q}, where {@code <shared>} is {@code jvmbus.shared.dir} or
 * {@code ${jvmbus.repo.root}/../shared}. A missing tool is an error, never a skip.
 */
public final class LinuxVmbusGuest {

    /** The system property naming the binary built from Linux 6.1. */
    public static final String PROPERTY = "jvmbus.linuxVmbusGuest";

    /** The system property naming the binary built from Linux 6.12. */
    public static final String PROPERTY_612 = "jvmbus.linuxVmbusGuest612";

    /** The Linux versions the tool builds from (Debian's {@code linux-source-*} packages). */
    public enum Kernel {
        /** Linux 6.1 (Debian 12's kernel). */
        LINUX_6_1("6.1", PROPERTY),
        /** Linux 6.12. */
        LINUX_6_12("6.12", PROPERTY_612);

        private final String version;
        private final String property;

        Kernel(final String version, final String property) {
            this.version = version;
            this.property = property;
        }

        /**
         * The version as {@code build.sh --kernel} takes it.
         *
         * @return e.g. "6.12"
         */
        public String version() {
            return version;
        }

        /**
         * The system property that names a prebuilt binary.
         *
         * @return the property name
         */
        public String property() {
            return property;
        }
    }

    private static final java.util.Map<Kernel, Path> CACHED = new java.util.EnumMap<>(Kernel.class);

    private LinuxVmbusGuest() {}

    /**
     * One run.
     *
     * @param exitCode the tool's exit status (0 PASS; see its README for the others)
     * @param lines every line it printed
     * @param log the file holding them
     */
    public record Result(int exitCode, List<String> lines, Path log) {
        /**
         * The last line (the PASS or FAIL line).
         *
         * @return the line, or "" if it printed nothing
         */
        public String lastLine() {
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }

        /**
         * Whether it passed: exit 0 and a PASS last line.
         *
         * @return true on PASS
         */
        public boolean passed() {
            return exitCode == 0 && lastLine().startsWith("linux-vmbus-guest: PASS");
        }

        /**
         * The output's last lines, for an assertion message.
         *
         * @param n how many
         * @return the lines joined
         */
        public String tail(final int n) {
            return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        }
    }

    /**
     * The binary, built once per JVM if the property does not name it.
     *
     * @return an executable path
     * @throws IOException if it cannot be found or built
     */
    public static Path binary() throws IOException {
        return binary(Kernel.LINUX_6_1);
    }

    /**
     * The binary for one Linux version, built once per JVM if its property does not name it.
     *
     * @param kernel the Linux version
     * @return an executable path
     * @throws IOException if it cannot be found or built
     */
    public static synchronized Path binary(final Kernel kernel) throws IOException {
        final Path known = CACHED.get(kernel);
        if (known != null) {
            return known;
        }
        final String prop = System.getProperty(kernel.property());
        if (prop != null && !prop.isBlank() && Files.isExecutable(Path.of(prop))) {
            CACHED.put(kernel, Path.of(prop));
            return Path.of(prop);
        }
        final Path build = sharedDir().resolve("tools/linux-vmbus-guest/build.sh");
        if (!Files.isRegularFile(build)) {
            throw new IOException(
                    "no " + kernel.property() + " and no " + build + " (expected: the shared tools beside the repo)");
        }
        final Path log = Files.createTempFile("linux-vmbus-guest-build", ".log");
        final Process p = new ProcessBuilder("bash", build.toString(), "--kernel", kernel.version(), "-q")
                .redirectErrorStream(false)
                .redirectError(log.toFile())
                .start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("build.sh did not finish in 10 minutes");
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while building", e);
        }
        final String[] lines = out.strip().split("\n");
        final Path bin = Path.of(lines[lines.length - 1].strip());
        if (p.exitValue() != 0 || !Files.isExecutable(bin)) {
            throw new IOException("build.sh --kernel " + kernel.version() + " failed (exit " + p.exitValue() + "): "
                    + Files.readString(log));
        }
        CACHED.put(kernel, bin);
        return bin;
    }

    private static Path sharedDir() {
        final String shared = System.getProperty("jvmbus.shared.dir");
        if (shared != null && !shared.isBlank()) {
            return Path.of(shared);
        }
        final String root = System.getProperty("jvmbus.repo.root", ".");
        return Path.of(root).toAbsolutePath().resolve("../shared").normalize();
    }

    /**
     * Runs the tool against a socket.
     *
     * @param socket the host's Unix socket path, or {@code tcp:HOST:PORT}
     * @param logDir where to keep its output
     * @param timeout the longest the run may take (the tool also bounds each of its own waits)
     * @param args the options after the socket
     * @return the result
     * @throws IOException if it cannot run, or does not finish in time (it is then killed)
     */
    public static Result run(final String socket, final Path logDir, final Duration timeout, final String... args)
            throws IOException {
        return run(Kernel.LINUX_6_1, socket, logDir, timeout, args);
    }

    /**
     * Runs the tool built from one Linux version against a socket.
     *
     * @param kernel the Linux version
     * @param socket the host's Unix socket path, or {@code tcp:HOST:PORT}
     * @param logDir where to keep its output
     * @param timeout the longest the run may take (the tool also bounds each of its own waits)
     * @param args the options after the socket
     * @return the result
     * @throws IOException if it cannot run, or does not finish in time (it is then killed)
     */
    public static Result run(
            final Kernel kernel, final String socket, final Path logDir, final Duration timeout, final String... args)
            throws IOException {
        final List<String> cmd = new ArrayList<>();
        cmd.add(binary(kernel).toString());
        cmd.add(socket);
        cmd.addAll(List.of(args));
        final Path log = Files.createTempFile(logDir, "linux-vmbus-guest", ".log");
        // output to a file: a child writing to the inherited stdout would corrupt Surefire's channel
        final Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
                throw new IOException("linux-vmbus-guest did not finish within " + timeout + ":\n"
                        + String.join("\n", tail(Files.readAllLines(log), 40)));
            }
        } catch (final InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return new Result(p.exitValue(), Files.readAllLines(log), log);
    }

    private static List<String> tail(final List<String> lines, final int n) {
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }
}
