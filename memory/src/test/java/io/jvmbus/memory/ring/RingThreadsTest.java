package io.jvmbus.memory.ring;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.memory.GpadlView;
import io.jvmbus.memory.GuestMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A producer thread and a consumer thread on one ring, each waiting only for the other's signals (edge counters, as
 * SynIC event flags are): a lost signal is a timeout, a reordering is a content mismatch.
 */
class RingThreadsTest {

    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** An edge-triggered doorbell: a counter the waiter compares with the last value it acted on. */
    private static final class Doorbell {
        private final AtomicLong rings = new AtomicLong();

        void ring() {
            rings.incrementAndGet();
        }

        long value() {
            return rings.get();
        }

        long await(final long seen, final String what) {
            final long deadline = System.nanoTime() + WAIT_NANOS;
            int spins = 0;
            long v;
            while ((v = rings.get()) == seen) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("lost signal: timed out " + what);
                }
                if (spins++ < 200) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(20_000);
                }
            }
            return v;
        }
    }

    private static byte[] payload(final long seed, final long seq, final int max) {
        final SplittableRandom r = new SplittableRandom(seed ^ (seq * 0x9E3779B97F4A7C15L));
        final byte[] b = new byte[r.nextInt(max + 1)];
        r.nextBytes(b);
        return b;
    }

    @ParameterizedTest(name = "{0} packets, ring pages {1}, scattered={2}, max payload {3}, batch {4}")
    @CsvSource({"100000, 2, false, 200, 1", "50000, 3, true, 3000, 4", "15000, 5, false, 16336, 8"})
    @Timeout(60)
    void shouldDeliverEveryPacketInOrderWithoutLosingASignal(
            final int count, final int ringPages, final boolean scattered, final int maxPayload, final int batch)
            throws Exception {
        final long seed = 42 + count;
        try (Arena arena = Arena.ofShared()) {
            final GuestMemory memory = RawRing.memory(arena, 2 + ringPages + 3);
            final long[] pages = new long[2 + ringPages];
            for (int i = 0; i < pages.length; i++) {
                pages[i] = scattered ? pages.length + 2 - i : i;
            }
            final GpadlView gpadl = RawRing.gpadl(memory, pages);
            final OutgoingRing producer =
                    RingPair.forHost(gpadl, 2, 1 << 20).orElseThrow().outgoing();
            final IncomingRing consumer =
                    RingPair.forGuest(gpadl, 2, 4096).orElseThrow().incoming();
            final Doorbell toConsumer = new Doorbell();
            final Doorbell toProducer = new Doorbell();
            final int max = Math.min(maxPayload, producer.maxPayloadLength());

            final CompletableFuture<long[]> consumed = CompletableFuture.supplyAsync(() -> {
                final PacketView view = new PacketView();
                final byte[] buf = new byte[producer.maxPacketLength()];
                long seen = toConsumer.value();
                long got = 0;
                long waits = 0;
                while (got < count) {
                    consumer.beginRead();
                    ReadStatus s;
                    while ((s = consumer.poll(view)) == ReadStatus.PACKET) {
                        final byte[] want = payload(seed, got, max);
                        if (view.transactionId() != got || view.payloadLength() != ((want.length + 7) & ~7)) {
                            throw new AssertionError("packet " + got + ": " + view);
                        }
                        view.copyPayloadTo(MemorySegment.ofArray(buf), 0);
                        if (MemorySegment.mismatch(
                                        MemorySegment.ofArray(buf),
                                        0,
                                        want.length,
                                        MemorySegment.ofArray(want),
                                        0,
                                        want.length)
                                != -1) {
                            throw new AssertionError("packet " + got + ": payload differs");
                        }
                        got++;
                    }
                    if (s == ReadStatus.CORRUPT) {
                        throw new AssertionError(consumer.corruption().toString());
                    }
                    if (consumer.commitRead()) {
                        toProducer.ring();
                    }
                    if (!consumer.endRead() && got < count) {
                        seen = toConsumer.await(seen, "consumer waiting for packet " + got);
                        waits++;
                    }
                }
                return new long[] {got, waits};
            });

            long seen = toProducer.value();
            long fullWaits = 0;
            for (long seq = 0; seq < count; seq++) {
                final byte[] p = payload(seed, seq, max);
                final MemorySegment src = MemorySegment.ofArray(p);
                WriteStatus s = producer.tryWrite(6, 0, seq, src, 0, p.length);
                while (s == WriteStatus.FULL) {
                    if (producer.commitWrite()) {
                        toConsumer.ring();
                    }
                    if (!producer.requestSpace((int) OutgoingRing.packetLength(0, p.length))) {
                        seen = toProducer.await(seen, "producer waiting for space for packet " + seq);
                        fullWaits++;
                    }
                    s = producer.tryWrite(6, 0, seq, src, 0, p.length);
                }
                assertThat(s).isEqualTo(WriteStatus.WRITTEN);
                if ((seq + 1) % batch == 0 && producer.commitWrite()) {
                    toConsumer.ring();
                }
            }
            if (producer.commitWrite()) {
                toConsumer.ring();
            }
            final long[] result;
            try {
                result = consumed.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw new AssertionError(e.getCause());
            }
            assertThat(result[0]).isEqualTo(count);
            // every consumer wait ended with a producer signal, and producers signal at most once per batch
            assertThat(producer.signalsRaised()).isGreaterThanOrEqualTo(result[1]);
            assertThat(consumer.signalsRaised()).isGreaterThanOrEqualTo(fullWaits);
            assertThat(producer.corruption()).isNull();
            assertThat(consumer.corruption()).isNull();
        }
    }
}
