package io.jvmbus.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code jvmbus} command line; each subcommand is one job a person or a VMM runs. */
@Command(
        name = "jvmbus",
        mixinStandardHelpOptions = true,
        version = "jvmbus 0.1.0",
        description = "The host side of Hyper-V's VMBus, in Java.",
        subcommands = {
            DemoCommand.class,
            TestCommand.class,
            ServeCommand.class,
            InspectCommand.class,
            SavedStateCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Callable<Integer> {

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    /**
     * Runs the command line and exits with its status.
     *
     * @param args the arguments after {@code jvmbus}
     */
    public static void main(final String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs the command line without exiting, for tests.
     *
     * @param args the arguments after {@code jvmbus}
     * @return the exit status
     */
    public static int run(final String... args) {
        return new CommandLine(new Main()).execute(args);
    }
}
