package io.jvmbus.cli.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the demo verified: every check has a name and, per VM, passed or failed with a detail. A failed check is
 * printed in the timeline when it happens; the summary groups the checks by name. The demo exits 0 only if every
 * check passed and at least one ran.
 */
final class Checks {

    /** One outcome. */
    record Outcome(String vm, String name, boolean passed, String detail) {}

    private final Timeline timeline;
    private final List<Outcome> outcomes = new ArrayList<>();

    Checks(final Timeline timeline) {
        this.timeline = timeline;
    }

    /**
     * Records a check.
     *
     * @return {@code passed}
     */
    boolean check(final String vm, final String name, final boolean passed, final String detail) {
        synchronized (outcomes) {
            outcomes.add(new Outcome(vm, name, passed, detail));
        }
        if (!passed) {
            timeline.step(vm, "CHECK", "FAILED: " + name + ": " + detail);
        }
        return passed;
    }

    List<Outcome> outcomes() {
        synchronized (outcomes) {
            return List.copyOf(outcomes);
        }
    }

    boolean allPassed() {
        final List<Outcome> all = outcomes();
        return !all.isEmpty() && all.stream().allMatch(Outcome::passed);
    }

    long failed() {
        return outcomes().stream().filter(o -> !o.passed()).count();
    }

    /** Lines for the summary: one per check name, with how many VMs passed it and the failures' details. */
    List<String> summaryLines() {
        final Map<String, List<Outcome>> byName = new LinkedHashMap<>();
        for (final Outcome o : outcomes()) {
            byName.computeIfAbsent(o.name(), k -> new ArrayList<>()).add(o);
        }
        final List<String> lines = new ArrayList<>();
        for (final Map.Entry<String, List<Outcome>> e : byName.entrySet()) {
            final long ok = e.getValue().stream().filter(Outcome::passed).count();
            final int n = e.getValue().size();
            final String count = n > 1 ? " (" + ok + "/" + n + ")" : "";
            lines.add((ok == n ? "  pass  " : "  FAIL  ") + e.getKey() + count);
            for (final Outcome o : e.getValue()) {
                if (!o.passed()) {
                    lines.add("          " + (o.vm() == null ? "" : o.vm() + ": ") + o.detail());
                }
            }
        }
        return lines;
    }
}
