package io.jvmbus.protocol.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random bytes never make the decoder throw, and whatever it decodes re-encodes consistently. The seed is
 * printed and named in every failure; rerun one with {@code -Djvmbus.seed=<seed>}.
 */
class MessageCodecRandomTest {

    private static final int ITERATIONS = 40_000;

    private static long seed() {
        final String fixed = System.getProperty("jvmbus.seed");
        final long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
        System.out.println("MessageCodecRandomTest seed=" + seed);
        return seed;
    }

    private static void run(final long seed, final Iteration body) {
        final Random random = new Random(seed);
        for (int i = 0; i < ITERATIONS; i++) {
            try {
                body.run(random);
            } catch (final AssertionError e) {
                throw new AssertionError("seed=" + seed + " iteration=" + i + ": " + e.getMessage(), e);
            }
        }
    }

    @FunctionalInterface
    private interface Iteration {
        void run(Random random);
    }

    private static DecodeContext randomContext(final Random r) {
        final int flags = r.nextInt(4) == 0 ? r.nextInt() : r.nextInt(0x100);
        return DecodeProperties.context(r.nextInt(12), flags);
    }

    private static Direction randomReceiver(final Random r) {
        return r.nextBoolean() ? Direction.GUEST_TO_HOST : Direction.HOST_TO_GUEST;
    }

    @Test
    void shouldNeverThrowOnRandomBytesWithAPlausibleType() {
        run(seed(), r -> {
            final byte[] b = new byte[r.nextInt(250)];
            r.nextBytes(b);
            if (b.length >= 4 && r.nextInt(8) != 0) {
                // mostly a known or nearby type, so the struct decoders are exercised, not just the type check
                final int type = r.nextInt(33);
                b[0] = (byte) type;
                b[1] = 0;
                b[2] = 0;
                b[3] = 0;
            }
            DecodeProperties.check(b, 0, b.length, randomReceiver(r), randomContext(r));
        });
    }

    @Test
    void shouldNeverThrowOnMutatedValidMessages() {
        final List<Samples.Sample> samples = Samples.all();
        run(seed(), r -> {
            final Samples.Sample s = samples.get(r.nextInt(samples.size()));
            final int length = Math.max(0, s.wire().length + r.nextInt(17) - 8);
            final byte[] b = java.util.Arrays.copyOf(s.wire(), Math.min(length, 260));
            final int flips = r.nextInt(4);
            for (int i = 0; i < flips && b.length > 0; i++) {
                b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
            }
            final DecodeContext context = r.nextInt(3) == 0 ? s.context() : randomContext(r);
            final Direction receiver = r.nextInt(4) == 0 ? randomReceiver(r) : s.receiver();
            DecodeProperties.check(b, 0, b.length, receiver, context);
        });
    }

    @Test
    void shouldNeverThrowForAnyOffsetAndLength() {
        run(seed(), r -> {
            final byte[] b = new byte[r.nextInt(64)];
            r.nextBytes(b);
            final int offset = r.nextInt(80) - 8;
            final int length = r.nextInt(80) - 8;
            DecodeProperties.check(b, offset, length, randomReceiver(r), randomContext(r));
        });
        assertThat(ITERATIONS).isPositive();
    }
}
