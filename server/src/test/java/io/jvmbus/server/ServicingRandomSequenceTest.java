package io.jvmbus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.server.ServicingWorld.Ev;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded random action sequences over the {@link ServicingWorld} alphabet, with save and restore at random points:
 * after each servicing the restored world takes over, and the world it replaced keeps running beside it on the same
 * events until the next servicing, so every step after a restore is compared (output, models, inspect). Sequences
 * are long enough to reach what the bounded explorer does not (deep reserved, closing and reset combinations).
 * A failure names the seed, the step and the events so far.
 */
final class ServicingRandomSequenceTest {

    private static final int SEEDS = 150;
    private static final int STEPS = 120;

    @Test
    @Timeout(300)
    void shouldBehaveIdenticallyAfterServicingAtRandomPoints() {
        final long base = Long.getLong("jvmbus.servicing.seed", 0x5EC1CE5L);
        int restores = 0;
        for (int i = 0; i < SEEDS; i++) {
            restores += run(base + i, STEPS);
        }
        System.out.println("servicing random sequences: " + SEEDS + " seeds x " + STEPS + " steps, " + restores
                + " save/restore cycles compared step by step");
        assertThat(restores).isGreaterThan(SEEDS);
    }

    @Test
    @Tag("slow")
    @Timeout(3600)
    void shouldBehaveIdenticallyAfterServicingAtRandomPointsLonger() {
        final long base = Long.getLong("jvmbus.servicing.seed", 0x5EC1CE5L) + 1_000_000;
        for (int i = 0; i < 2000; i++) {
            run(base + i, 400);
        }
    }

    /** One sequence; returns the number of save/restore cycles. */
    private static int run(final long seed, final int steps) {
        final Random random = new Random(seed);
        final Ev[] alphabet = Ev.values();
        final List<Ev> path = new ArrayList<>();
        ServicingWorld current = ServicingWorld.start();
        ServicingWorld shadow = null;
        int restores = 0;
        for (int step = 0; step < steps; step++) {
            if (random.nextInt(12) == 0) {
                final byte[] blob = current.server.save();
                final ServicingWorld restored = current.serviced(blob, random.nextInt(2));
                final String where = "seed " + seed + " step " + step + " after " + path;
                assertThat(ServicingWorld.comparable(restored.server.inspect()))
                        .as(where)
                        .isEqualTo(ServicingWorld.comparable(current.server.inspect()));
                assertThat(restored.models()).as(where).isEqualTo(current.models());
                assertThat(restored.server.save()).as(where).isEqualTo(blob);
                shadow = current;
                current = restored;
                restores++;
            }
            final Ev e = pick(random, alphabet);
            path.add(e);
            current.apply(e);
            if (shadow != null) {
                shadow.apply(e);
                final String where = "seed " + seed + " step " + step + " " + path;
                assertThat(current.out).as(where).isEqualTo(shadow.out);
                assertThat(current.models()).as(where).isEqualTo(shadow.models());
                assertThat(ServicingWorld.comparable(current.server.inspect()))
                        .as(where)
                        .isEqualTo(ServicingWorld.comparable(shadow.server.inspect()));
            }
        }
        return restores;
    }

    /** Guest connects and relay answers are drawn more often, so sequences spend their time connected. */
    private static Ev pick(final Random random, final Ev[] alphabet) {
        final int r = random.nextInt(alphabet.length + 6);
        if (r < alphabet.length) {
            return alphabet[r];
        }
        return switch (r - alphabet.length) {
            case 0, 1, 2 -> Ev.H_RELAY_ACK;
            case 3 -> Ev.G_REQUEST_OFFERS;
            default -> Ev.D_LATE_OK;
        };
    }
}
