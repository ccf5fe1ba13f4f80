package io.jvmbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

    @Test
    void helpListsTheSetUpCommands() {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final CommandLine cli = new CommandLine(new Main());
        cli.setOut(new java.io.PrintWriter(new PrintStream(out, true, StandardCharsets.UTF_8), true));
        final int status = cli.execute("--help");
        assertThat(status).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("demo").contains("test");
    }
}
