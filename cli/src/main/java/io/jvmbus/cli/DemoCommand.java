package io.jvmbus.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code jvmbus demo}: the seed scenario as a timeline (lands with the serve/demo issue). */
@Command(name = "demo", description = "Play the servicing story end to end (firmware, servicing, OS).")
final class DemoCommand implements Callable<Integer> {

    /** Exit status while the demo is not implemented yet. */
    static final int NOT_IMPLEMENTED = 2;

    @Override
    public Integer call() {
        System.err.println("jvmbus demo: not yet implemented (it lands with the serve and demo work)");
        return NOT_IMPLEMENTED;
    }
}
