package io.jvmbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./jvmbus fuzz TARGET}, run as the real script: it fuzzes one Jazzer target (here the message decoder, for
 * three seconds: the launcher runs Maven on the protocol module, which the surrounding build has already compiled) and
 * reports executions and coverage. The run overwrites protocol's surefire XML report of {@code MessageCodecFuzzTest}
 * with the fuzzing run's, which is harmless: the regression run's result was decided before this module ran.
 */
class FuzzCommandTest {

    private static final Pattern SUMMARY = Pattern.compile(
            "jvmbus fuzz: target=decoder seconds=3 executions=(\\d+) cov=(\\d+) ft=(\\d+) corpus=\\S+ findings=0 exit=0");

    private static Path launcher() {
        final Path root = Path.of(System.getProperty("jvmbus.repo.root", "..")).toAbsolutePath();
        final Path script = root.resolve("jvmbus");
        assertThat(script).as("the launcher at the repository root").isExecutable();
        return script;
    }

    private static List<String> run(final Path dir, final long timeoutSeconds, final String... args)
            throws IOException, InterruptedException {
        final Path out = dir.resolve("out.txt");
        final List<String> command = new ArrayList<>();
        command.add(launcher().toString());
        command.addAll(List.of(args));
        final ProcessBuilder pb =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        final Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            throw new AssertionError("launcher still running after " + timeoutSeconds + " s: " + Files.readString(out));
        }
        final List<String> lines = new ArrayList<>(Files.readAllLines(out, StandardCharsets.UTF_8));
        lines.add("exit=" + p.exitValue());
        return lines;
    }

    @Test
    @Timeout(60)
    void shouldRefuseAnUnknownTargetWithTheListOfTargets(@TempDir final Path dir) throws Exception {
        final List<String> lines = run(dir, 50, "fuzz", "everything", "--minutes", "1");
        assertThat(lines)
                .containsExactly(
                        "usage: ./jvmbus fuzz {decoder|core|ring|savedstate|session|frames} [--minutes N | --seconds N]",
                        "exit=2");
    }

    @Test
    @Timeout(60)
    void shouldRefuseADurationThatIsNotAPositiveWholeNumber(@TempDir final Path dir) throws Exception {
        assertThat(run(dir, 50, "fuzz", "decoder", "--minutes", "0")).last().isEqualTo("exit=2");
        assertThat(run(dir, 50, "fuzz", "decoder", "--seconds", "1.5")).last().isEqualTo("exit=2");
    }

    @Test
    @Timeout(600)
    void shouldFuzzTheDecoderAndReportExecutionsAndCoverage(@TempDir final Path dir) throws Exception {
        final List<String> lines = run(dir, 590, "fuzz", "decoder", "--seconds", "3");
        assertThat(lines).as(String.join("\n", lines)).last().isEqualTo("exit=0");
        final Matcher m = lines.stream()
                .map(SUMMARY::matcher)
                .filter(Matcher::matches)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no summary line in:\n" + String.join("\n", lines)));
        assertThat(Long.parseLong(m.group(1))).as("executions").isPositive();
        assertThat(Integer.parseInt(m.group(2))).as("cov (edges)").isPositive();
        assertThat(Integer.parseInt(m.group(3))).as("ft (features)").isPositive();
    }
}
