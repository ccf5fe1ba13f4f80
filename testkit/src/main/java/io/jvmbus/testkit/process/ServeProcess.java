package io.jvmbus.testkit.process;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@code jvmbus serve} child process, started with the running JVM's {@code java} (from {@link ProcessHandle}) and
 * class path ({@code java.class.path}), so it runs the code under test. {@link #start} returns once the child logged
 * {@code listening on <socket>}; {@link #close()} sends SIGTERM and, if it has not exited within the stop timeout,
 * SIGKILL. Every output line is written to a log file in the given directory and kept in memory (the first
 * {@value #MAX_KEPT_LINES} lines), so a test can wait for a line with {@link #awaitLine} and print the output when it
 * fails. JDK only: usable from any module whose test class path holds {@code io.jvmbus.cli.Main}.
 */
public final class ServeProcess implements AutoCloseable {

    /** The main class of the command line. */
    public static final String MAIN_CLASS = "io.jvmbus.cli.Main";
    /** Lines kept in memory for {@link #awaitLine}; later ones are only in the log file. */
    public static final int MAX_KEPT_LINES = 200_000;

    /**
     * How to start one.
     *
     * @param socket the Unix socket for {@code --socket}
     * @param logDir where the output file goes
     * @param args further {@code serve} options (e.g. {@code --config FILE})
     * @param jvmArgs options for the child JVM before the main class
     * @param startTimeout how long to wait for the "listening on" line
     * @param stopTimeout how long {@link #close()} waits after SIGTERM before SIGKILL
     */
    public record Options(
            Path socket,
            Path logDir,
            List<String> args,
            List<String> jvmArgs,
            Duration startTimeout,
            Duration stopTimeout) {
        /** Copies the lists and checks for nulls. */
        public Options {
            Objects.requireNonNull(socket, "socket");
            Objects.requireNonNull(logDir, "logDir");
            args = List.copyOf(args);
            jvmArgs = List.copyOf(jvmArgs);
            Objects.requireNonNull(startTimeout, "startTimeout");
            Objects.requireNonNull(stopTimeout, "stopTimeout");
        }

        /**
         * The usual options: no extra JVM options, 60 s to start, 10 s to stop.
         *
         * @param socket the Unix socket
         * @param logDir where the output file goes
         * @param args further {@code serve} options
         * @return the options
         */
        public static Options of(final Path socket, final Path logDir, final String... args) {
            return new Options(
                    socket, logDir, List.of(args), List.of(), Duration.ofSeconds(60), Duration.ofSeconds(10));
        }

        /**
         * The same options with other {@code serve} options.
         *
         * @param moreArgs options appended to {@link #args()}
         * @return new options
         */
        public Options withArgs(final String... moreArgs) {
            final List<String> all = new ArrayList<>(args);
            all.addAll(List.of(moreArgs));
            return new Options(socket, logDir, all, jvmArgs, startTimeout, stopTimeout);
        }
    }

    private final Options options;
    private final Process process;
    private final Path log;
    private final Thread pump;
    private final Object lock = new Object();
    private final List<String> lines = new ArrayList<>();
    private boolean outputEnded;

    private ServeProcess(final Options options, final Process process, final Path log) {
        this.options = options;
        this.process = process;
        this.log = log;
        this.pump = Thread.ofPlatform()
                .daemon()
                .name("serve-output-" + process.pid())
                .start(this::pumpOutput);
    }

    /**
     * Starts {@code jvmbus serve --socket SOCKET} with default options and waits until it listens.
     *
     * @param socket the Unix socket
     * @param logDir where the output file goes
     * @param args further {@code serve} options
     * @return the running process
     * @throws IOException if it cannot start, exits, or does not listen in time (it is then killed)
     */
    public static ServeProcess start(final Path socket, final Path logDir, final String... args) throws IOException {
        return start(Options.of(socket, logDir, args));
    }

    /**
     * Starts {@code jvmbus serve} and waits until it logged {@code listening on <socket>}.
     *
     * @param options how
     * @return the running process
     * @throws IOException if it cannot start, exits, or does not listen in time (it is then killed)
     */
    public static ServeProcess start(final Options options) throws IOException {
        final List<String> cmd = new ArrayList<>();
        cmd.add(javaCommand());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(options.jvmArgs());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(MAIN_CLASS);
        cmd.add("serve");
        cmd.add("--socket");
        cmd.add(options.socket().toString());
        cmd.addAll(options.args());
        Files.createDirectories(options.logDir());
        final Path log = Files.createTempFile(options.logDir(), "serve-", ".log");
        // output through a pipe we drain: a child writing to the inherited stdout would corrupt Surefire's channel
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final ServeProcess serve = new ServeProcess(options, p, log);
        try {
            serve.awaitLine(l -> l.contains("listening on " + options.socket()), options.startTimeout());
        } catch (final IOException e) {
            serve.process.toHandle().destroyForcibly();
            throw e;
        }
        return serve;
    }

    private static String javaCommand() {
        return ProcessHandle.current()
                .info()
                .command()
                .orElseGet(() ->
                        Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private void pumpOutput() {
        try (BufferedReader in =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.write(line);
                out.newLine();
                out.flush();
                synchronized (lock) {
                    if (lines.size() < MAX_KEPT_LINES) {
                        lines.add(line);
                    }
                    lock.notifyAll();
                }
            }
        } catch (final IOException | RuntimeException e) {
            // the child died or the log file is gone: the waiters see the end of output, and why
            synchronized (lock) {
                lines.add("[ServeProcess: output pump stopped: " + e + "]");
            }
        } finally {
            synchronized (lock) {
                outputEnded = true;
                lock.notifyAll();
            }
        }
    }

    /**
     * Waits for an output line that matches.
     *
     * @param match the line to wait for
     * @param timeout the longest wait
     * @return the first matching line
     * @throws IOException if the output ends first or the time runs out (with the output's tail)
     */
    public String awaitLine(final Predicate<String> match, final Duration timeout) throws IOException {
        return awaitLines(match, 1, timeout).getLast();
    }

    /**
     * Waits until {@code count} output lines match.
     *
     * @param match the lines to count
     * @param count how many
     * @param timeout the longest wait
     * @return the first {@code count} matching lines
     * @throws IOException if the output ends first or the time runs out (with the output's tail)
     */
    public List<String> awaitLines(final Predicate<String> match, final int count, final Duration timeout)
            throws IOException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            int seen = 0;
            final List<String> found = new ArrayList<>();
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (match.test(lines.get(seen))) {
                        found.add(lines.get(seen));
                        if (found.size() == count) {
                            return found;
                        }
                    }
                }
                if (outputEnded) {
                    throw new IOException("jvmbus serve (pid " + process.pid() + ") ended its output after "
                            + found.size() + " of " + count + " matching lines:\n" + tailLocked(40));
                }
                final long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IOException("jvmbus serve (pid " + process.pid() + ") printed " + found.size() + " of "
                            + count + " matching lines within " + timeout + ":\n" + tailLocked(40));
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
        }
    }

    /**
     * The output so far (at most {@value #MAX_KEPT_LINES} lines).
     *
     * @return a copy
     */
    public List<String> lines() {
        synchronized (lock) {
            return List.copyOf(lines);
        }
    }

    /**
     * The last lines of output, for an assertion message.
     *
     * @param n how many
     * @return the lines joined by newlines
     */
    public String tail(final int n) {
        synchronized (lock) {
            return tailLocked(n);
        }
    }

    private String tailLocked(final int n) {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    /**
     * The socket it listens on.
     *
     * @return the path given at start
     */
    public Path socket() {
        return options.socket();
    }

    /**
     * The file its output goes to.
     *
     * @return the log file
     */
    public Path log() {
        return log;
    }

    /**
     * Its process id.
     *
     * @return the pid
     */
    public long pid() {
        return process.pid();
    }

    /**
     * Whether it still runs.
     *
     * @return true while alive
     */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * SIGKILL now and wait for the exit (a crash, as far as the server can tell).
     *
     * @return the exit status (137 on Linux)
     * @throws IOException if it does not die within the stop timeout
     */
    public int kill() throws IOException {
        // through the handle: Process.destroy* would also close our end of its output before we read the rest
        process.toHandle().destroyForcibly();
        return awaitExit(options.stopTimeout());
    }

    /**
     * SIGTERM, then SIGKILL if it has not exited within the stop timeout.
     *
     * @return the exit status
     * @throws IOException if even SIGKILL does not end it in time
     */
    public int stop() throws IOException {
        if (process.isAlive()) {
            process.toHandle().destroy();
            try {
                if (!process.waitFor(options.stopTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                    process.toHandle().destroyForcibly();
                }
            } catch (final InterruptedException e) {
                process.toHandle().destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        return awaitExit(options.stopTimeout());
    }

    private int awaitExit(final Duration timeout) throws IOException {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("jvmbus serve (pid " + process.pid() + ") still runs after " + timeout);
            }
            pump.join(timeout.toMillis());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return process.exitValue();
    }

    /** {@link #stop()}, with an I/O failure as an unchecked exception. */
    @Override
    public void close() {
        try {
            stop();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
