package io.jvmbus.bench.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Finds the Linux peers in {@code shared/tools}: a path given as a system property ({@code jvmbus.linuxVmbusGuest},
 * {@code jvmbus.linuxRingPeer}), else the binary that the tool's {@code build.sh -q} builds (or finds in its cache).
 * The shared folder is {@code -Djvmbus.shared.dir}, else {@code ../shared} beside {@code -Djvmbus.repo.root} or
 * {@code -Djvmbus.home}, else {@code ../shared} from the working directory.
 */
public final class LinuxTools {

    private LinuxTools() {}

    /**
     * The {@code linux-vmbus-guest} binary.
     *
     * @return its path
     * @throws IOException if the build cannot be started
     * @throws InterruptedException if interrupted while it builds
     */
    public static Path linuxVmbusGuest() throws IOException, InterruptedException {
        return find("jvmbus.linuxVmbusGuest", "linux-vmbus-guest");
    }

    /**
     * The {@code linux-ring-peer} binary.
     *
     * @return its path
     * @throws IOException if the build cannot be started
     * @throws InterruptedException if interrupted while it builds
     */
    public static Path linuxRingPeer() throws IOException, InterruptedException {
        return find("jvmbus.linuxRingPeer", "linux-ring-peer");
    }

    /**
     * The shared folder holding {@code tools/}.
     *
     * @return its path (it may not exist)
     */
    public static Path sharedDir() {
        final String shared = System.getProperty("jvmbus.shared.dir");
        if (shared != null) {
            return Path.of(shared);
        }
        for (final String root : new String[] {"jvmbus.repo.root", "jvmbus.home"}) {
            final String r = System.getProperty(root);
            if (r != null) {
                return Path.of(r).resolve("../shared").normalize();
            }
        }
        return Path.of("..", "shared").toAbsolutePath().normalize();
    }

    private static synchronized Path find(final String property, final String tool)
            throws IOException, InterruptedException {
        final String given = System.getProperty(property);
        if (given != null && Files.isExecutable(Path.of(given))) {
            return Path.of(given);
        }
        final Path script = sharedDir().resolve("tools").resolve(tool).resolve("build.sh");
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException(
                    "no " + tool + ": set -D" + property + " or -Djvmbus.shared.dir (" + script + " does not exist)");
        }
        final Path out = Files.createTempFile(tool + "-build", ".out");
        final Path err = Files.createTempFile(tool + "-build", ".log");
        try {
            final Process p = new ProcessBuilder("bash", script.toString(), "-q")
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("building " + tool + " failed: " + Files.readString(err));
            }
            final Path binary = Path.of(Files.readAllLines(out).getLast().trim());
            System.setProperty(property, binary.toString());
            return binary;
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
