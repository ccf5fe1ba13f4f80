package io.jvmbus.bench.harness;

import io.jvmbus.testkit.process.ServeProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code jvmbus serve} child process for the timed harnesses: testkit's {@link ServeProcess} (this JVM's {@code java}
 * and class path) with the JVM flags of the {@code ./jvmbus} launcher ({@code -XX:+UseSerialGC -Xshare:auto}) and an
 * optional {@code --config} file, at the default log level (info: one line per session start and end, nothing per
 * message).
 */
public final class ServeChild implements AutoCloseable {

    private final ServeProcess process;

    private ServeChild(final ServeProcess process) {
        this.process = process;
    }

    /**
     * Starts the server and waits until it listens.
     *
     * @param dir a directory for the socket, the config file and the log
     * @param configJson the {@code --config} file's content, or {@code null} for none
     * @return the running server
     * @throws IOException if it cannot start or does not listen within 60 s
     */
    public static ServeChild start(final Path dir, final String configJson) throws IOException {
        final List<String> args = new ArrayList<>();
        if (configJson != null) {
            args.add("--config");
            args.add(Files.writeString(dir.resolve("serve-config.json"), configJson)
                    .toString());
        }
        return new ServeChild(ServeProcess.start(new ServeProcess.Options(
                dir.resolve("serve.sock"),
                dir,
                args,
                List.of("-XX:+UseSerialGC", "-Xshare:auto"),
                Duration.ofSeconds(60),
                Duration.ofSeconds(30))));
    }

    /**
     * The server's Unix socket.
     *
     * @return the path
     */
    public Path socket() {
        return process.socket();
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
     * The server's WARN and ERROR lines so far.
     *
     * @return the lines
     */
    public List<String> problems() {
        return process.lines().stream()
                .filter(l -> l.contains(" WARN ") || l.contains(" ERROR ") || l.contains("Exception"))
                .toList();
    }

    @Override
    public void close() {
        process.close();
    }
}
