package io.jvmbus.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded random action sequences against the core (see {@link RandomActionDriver}): guest messages valid and invalid,
 * device completions in random order, host answers, offers, revokes and resets, with invariants after every step. A
 * failure prints the seed; rerun one seed with {@code -Djvmbus.random.seed=<seed>}; print what a run reached with
 * {@code -Djvmbus.random.coverage=true}.
 */
class ChannelServerRandomTest {

    /** System property that pins the seed of every run to one value. */
    static final String SEED_PROPERTY = "jvmbus.random.seed";

    /** Seeds per default run. */
    static final int SEEDS = 10;

    /** Steps per seed in the default run: 10 x 10,000 = 100,000 steps. */
    static final int STEPS = 10_000;

    /** Seeds in the slow run. */
    static final int LONG_SEEDS = 40;

    /** Steps per seed in the slow run: 40 x 250,000 = 10,000,000 steps. */
    static final int LONG_STEPS = 250_000;

    private static long seed(final long fallback) {
        final String pinned = System.getProperty(SEED_PROPERTY);
        return pinned == null ? fallback : Long.parseLong(pinned);
    }

    @Test
    @Timeout(180)
    void shouldHoldEveryInvariantUnderRandomActions() {
        runAndCheckCoverage(0x5EED0000L, SEEDS, STEPS);
    }

    @Test
    @Tag("slow")
    @Timeout(3600)
    void shouldHoldEveryInvariantUnderLongRandomRuns() {
        final long base = System.nanoTime();
        System.out.println("slow random run: seeds " + base + ".." + (base + LONG_SEEDS - 1));
        runAndCheckCoverage(base, LONG_SEEDS, LONG_STEPS);
    }

    private static void runAndCheckCoverage(final long base, final int seeds, final int steps) {
        long settles = 0;
        final Map<String, Integer> coverage = new TreeMap<>();
        for (int i = 0; i < seeds; i++) {
            final RandomActionDriver d = new RandomActionDriver(seed(base + i));
            d.run(steps);
            settles += d.settles();
            d.coverage().forEach((k, v) -> coverage.merge(k, v, Integer::sum));
        }
        if (Boolean.getBoolean("jvmbus.random.coverage")) {
            coverage.forEach((k, v) -> System.out.println(k + " = " + v));
        }
        assertThat(settles).isGreaterThanOrEqualTo(seeds);
        if (System.getProperty(SEED_PROPERTY) != null) {
            // One pinned seed reproduces a failure; it need not reach everything the mixed seeds reach.
            return;
        }
        // The run must actually reach every state, or it proves little.
        for (final ChannelState s : ChannelState.values()) {
            assertThat(coverage).as("channel state %s reached", s).containsKey("channel " + s);
        }
        for (final String reserved : new String[] {"OPENING_RESERVED", "OPEN_RESERVED", "CLOSING_RESERVED"}) {
            assertThat(coverage).as("%s reached", reserved).containsKey("channel " + reserved);
        }
        for (final GpadlState s : GpadlState.values()) {
            assertThat(coverage).as("gpadl state %s reached", s).containsKey("gpadl " + s);
        }
        for (final ConnectionPhase p : ConnectionPhase.values()) {
            assertThat(coverage).as("phase %s reached", p).containsKey("phase " + p);
        }
        assertThat(coverage)
                .containsKeys(
                        "paused",
                        "modifying connection",
                        "queue near its bound",
                        "action reset -> OK",
                        "action revoke -> OK",
                        "action MODIFY_CHANNEL -> MODIFY_IN_PROGRESS",
                        "action complete -> QUEUE_FULL",
                        "servicing");
    }
}
