package io.jvmbus.cli.demo;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The demo's output: one line per step, {@code +0.123s  [vm]  actor  what happened}, offsets from the demo's start.
 * Thread-safe: each line is printed whole, in the order the steps happened.
 */
final class Timeline {

    private final PrintWriter out;
    private final long startNanos;
    private final boolean showVm;
    private final boolean verbose;

    Timeline(final PrintWriter out, final boolean showVm, final boolean verbose) {
        this.out = out;
        this.startNanos = System.nanoTime();
        this.showVm = showVm;
        this.verbose = verbose;
    }

    boolean verbose() {
        return verbose;
    }

    /** Seconds since the start. */
    double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** One step of the story. */
    void step(final String vm, final String actor, final String what) {
        line(vm, actor, what);
    }

    /** A protocol detail, shown only with {@code --verbose}. */
    void detail(final String vm, final String actor, final String what) {
        if (verbose) {
            line(vm, actor, what);
        }
    }

    /** A line without a time offset (headings, the summary). */
    synchronized void plain(final String text) {
        out.println(text);
        out.flush();
    }

    private synchronized void line(final String vm, final String actor, final String what) {
        final String offset = String.format(Locale.ROOT, "+%.3fs", elapsedSeconds());
        final StringBuilder b = new StringBuilder(96);
        b.append(String.format(Locale.ROOT, "%8s  ", offset));
        if (showVm && vm != null) {
            b.append(String.format(Locale.ROOT, "%-5s ", vm));
        } else if (showVm) {
            b.append("      ");
        }
        b.append(String.format(Locale.ROOT, "%-10s ", actor)).append(what);
        out.println(b);
        out.flush();
    }
}
