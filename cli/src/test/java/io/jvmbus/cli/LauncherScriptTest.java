package io.jvmbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ./jvmbus} launcher's JDK discovery, run as the real script. */
class LauncherScriptTest {

    private static Path launcher() {
        final Path root = Path.of(System.getProperty("jvmbus.repo.root", "..")).toAbsolutePath();
        final Path script = root.resolve("jvmbus");
        assertThat(script).as("the launcher at the repository root").isExecutable();
        return script;
    }

    private static List<String> run(final Path workDir, final String javaHome, final Path jvmDir, final String... args)
            throws IOException, InterruptedException {
        final Path out = workDir.resolve("out.txt");
        final List<String> command = new java.util.ArrayList<>();
        command.add(launcher().toString());
        command.addAll(List.of(args));
        final ProcessBuilder pb =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("JAVA_HOME", javaHome);
        pb.environment().put("JVMBUS_JVM_DIR", jvmDir.toString());
        final Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("launcher finished").isTrue();
        final List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        lines.add("exit=" + p.exitValue());
        return lines;
    }

    @Test
    @Timeout(90)
    void shouldStopWithOneClearLineWhenNoJdk25IsFound(@TempDir final Path dir) throws Exception {
        final Path emptyJvmDir = Files.createDirectories(dir.resolve("jvm"));
        final List<String> lines = run(dir, dir.resolve("no-such-jdk").toString(), emptyJvmDir, "--help");
        assertThat(lines)
                .containsExactly(
                        "jvmbus: no JDK 25 or newer found (looked at JAVA_HOME and " + emptyJvmDir
                                + "/*); install Temurin 25 and set JAVA_HOME",
                        "exit=1");
    }

    @Test
    @Timeout(90)
    void shouldIgnoreAJavaHomeOlderThan25(@TempDir final Path dir) throws Exception {
        // A fake JDK 17: its java prints the version properties the launcher reads.
        final Path fake = Files.createDirectories(dir.resolve("jdk17/bin"));
        final Path java = fake.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho '    java.specification.version = 17' >&2\n");
        Files.writeString(fake.resolve("javac"), "#!/bin/sh\nexit 0\n");
        assertThat(java.toFile().setExecutable(true)).isTrue();
        assertThat(fake.resolve("javac").toFile().setExecutable(true)).isTrue();
        final Path emptyJvmDir = Files.createDirectories(dir.resolve("jvm"));
        final List<String> lines = run(dir, dir.resolve("jdk17").toString(), emptyJvmDir, "--help");
        assertThat(lines).last().isEqualTo("exit=1");
        assertThat(lines.get(0)).startsWith("jvmbus: no JDK 25 or newer found");
    }
}
