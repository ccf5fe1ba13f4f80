package io.jvmbus.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code jvmbus test}: listed for {@code --help}; the {@code ./jvmbus} launcher runs it itself ({@code ./mvnw -B
 * verify}) before any build of the CLI, so this class only explains that.
 */
@Command(name = "test", description = "Run the whole test suite (./mvnw -B verify; run through ./jvmbus).")
final class TestCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("jvmbus test: run it as ./jvmbus test (the launcher runs ./mvnw -B verify)");
        return 2;
    }
}
