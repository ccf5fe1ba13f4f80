package io.jvmbus.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A {@code jvmbus serve} child process for the timed harnesses: {@code java -cp <this JVM's class path>
 * io.jvmbus.cli.Main serve --socket S [--config C] --log-level warn} with the JVM flags of the {@code ./jvmbus}
 * launcher, and its output in a file. Started, it waits
 * (bounded) until the socket exists; closed, it sends SIGTERM and waits for the server's shutdown.
 */
public final class ServeChild implements AutoCloseable {

    private static final long READY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final Process process;
    private final Path socket;
    private final Path log;

    private ServeChild(final Process process, final Path socket, final Path log) {
        this.process = process;
        this.socket = socket;
        this.log = log;
    }

    /**
     * Starts the server and waits until its socket is there.
     *
     * @param dir a directory for the socket, the config file and the log
     * @param configJson the {@code --config} file's content, or {@code null} for none
     * @return the running server
     * @throws IOException if the process cannot be started
     * @throws IllegalStateException if the socket does not appear within 60 s or the server exits first
     */
    public static ServeChild start(final Path dir, final String configJson) throws IOException {
        final Path socket = dir.resolve("serve.sock");
        final Path log = dir.resolve("serve.log");
        final List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC",
                "-Xshare:auto",
                "-cp",
                System.getProperty("java.class.path"),
                "io.jvmbus.cli.Main",
                "serve",
                "--socket",
                socket.toString(),
                "--log-level",
                "warn"));
        if (configJson != null) {
            final Path config = Files.writeString(dir.resolve("serve-config.json"), configJson);
            cmd.add("--config");
            cmd.add(config.toString());
        }
        final Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        final ServeChild child = new ServeChild(p, socket, log);
        final long deadline = System.nanoTime() + READY_TIMEOUT_NANOS;
        while (!Files.exists(socket)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                child.close();
                throw new IllegalStateException(
                        "jvmbus serve did not create " + socket + " (alive=" + p.isAlive() + "): " + child.output());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        return child;
    }

    /**
     * The server's Unix socket.
     *
     * @return the path
     */
    public Path socket() {
        return socket;
    }

    /**
     * The server process id.
     *
     * @return the pid
     */
    public long pid() {
        return process.pid();
    }

    /**
     * What the server printed so far (warnings and errors only).
     *
     * @return the text
     */
    public String output() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() {
        process.destroy(); // SIGTERM: the server's shutdown hook ends the sessions and removes the socket
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
