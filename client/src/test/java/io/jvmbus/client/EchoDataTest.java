package io.jvmbus.client;

import static io.jvmbus.client.GuestFixture.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.memory.ring.WriteStatus;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.message.ChannelMessage.OfferChannel;
import io.jvmbus.protocol.ring.PacketType;
import io.jvmbus.server.ServerConfig;
import java.util.ArrayDeque;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EchoDataTest {

    /**
     * A VMBus packet carries its length in 8-byte units, so the echo comes back padded with zeros to a multiple of 8;
     * the sent bytes must be its prefix.
     */
    private static void assertEcho(final GuestChannel.Packet back, final byte[] sent, final String what) {
        assertThat(back.payload()).as(what).hasSize((sent.length + 7) & ~7);
        assertThat(java.util.Arrays.copyOf(back.payload(), sent.length))
                .as(what)
                .isEqualTo(sent);
        for (int i = sent.length; i < back.payload().length; i++) {
            assertThat(back.payload()[i]).as("%s padding byte %d", what, i).isZero();
        }
    }

    private static byte[] payload(final Random random, final int size) {
        final byte[] b = new byte[size];
        random.nextBytes(b);
        return b;
    }

    @Test
    void shouldEchoPacketsOfEverySizeClassAcrossRingWrapAround() {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        try (GuestFixture f = GuestFixture.linux()) {
            final OfferChannel offer = f.connectWithDevices(1).getFirst();
            // 4 KiB of data in each ring: every few packets wrap.
            final GuestChannel ch = f.client.open(offer, OpenOptions.rings(2, 2), TIMEOUT);
            final int max = ch.maxPayload();
            long bytes = 0;
            for (int i = 0; i < 600; i++) {
                final int size = switch (i % 4) {
                    case 0 -> i % 9; // 0..8: padding and empty payloads
                    case 1 -> random.nextInt(64);
                    case 2 -> random.nextInt(1024);
                    default -> random.nextInt(max + 1);
                };
                final byte[] p = payload(random, size);
                ch.send(i, false, p, TIMEOUT);
                final GuestChannel.Packet back = ch.receive(TIMEOUT);

                assertThat(back.transactionId())
                        .as("seed %d packet %d", seed, i)
                        .isEqualTo(i);
                assertThat(back.type()).isEqualTo(PacketType.DATA_INBAND.code());
                assertEcho(back, p, "seed " + seed + " packet " + i);
                bytes += size;
            }
            assertThat(bytes).as("bytes moved, seed %d", seed).isGreaterThan(20L * 4096);
            assertThat(ch.hostSignals()).isPositive();
            assertThat(f.host.errors()).isEmpty();
        }
    }

    @Test
    void shouldKeepOrderWhenBothRingsFillAndSignalThroughPendingSendSize() {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        try (GuestFixture f = GuestFixture.linux()) {
            final OfferChannel offer = f.connectWithDevices(1).getFirst();
            final GuestChannel ch = f.client.open(offer, OpenOptions.rings(2, 2), TIMEOUT);
            final ArrayDeque<byte[]> inFlight = new ArrayDeque<>();
            long next = 0;
            long expected = 0;
            int fulls = 0;
            while (expected < 2000) {
                // Write until the guest->host ring is full (the host echoes until its own ring is full and then
                // waits for our reads: its pending_send_sz), then read everything back.
                while (next < 2000) {
                    final byte[] p = payload(random, 1 + random.nextInt(700));
                    final WriteStatus st = ch.trySend(next, false, p);
                    if (st == WriteStatus.FULL) {
                        fulls++;
                        break;
                    }
                    assertThat(st).isEqualTo(WriteStatus.WRITTEN);
                    inFlight.add(p);
                    next++;
                }
                while (!inFlight.isEmpty()) {
                    final GuestChannel.Packet back = ch.receive(TIMEOUT);
                    assertThat(back.transactionId()).as("seed %d", seed).isEqualTo(expected);
                    assertEcho(back, inFlight.poll(), "seed " + seed + " packet " + expected);
                    expected++;
                }
            }
            assertThat(fulls)
                    .as("the guest->host ring filled up, seed %d", seed)
                    .isPositive();
            assertThat(ch.tryReceive()).isNull();
            assertThat(f.host.errors()).isEmpty();
        }
    }

    @Test
    void shouldCarryTheCompletionRequestedFlag() {
        try (GuestFixture f = GuestFixture.linux()) {
            final GuestChannel ch = f.client.open(f.connectWithDevices(1).getFirst(), OpenOptions.defaults(), TIMEOUT);

            ch.send(0xABCDEF0123L, true, new byte[] {1, 2, 3}, TIMEOUT);
            final GuestChannel.Packet back = ch.receive(TIMEOUT);

            assertThat(back.completionRequested()).isTrue();
            assertThat(back.transactionId()).isEqualTo(0xABCDEF0123L);
            assertEcho(back, new byte[] {1, 2, 3}, "flagged packet");
        }
    }

    @Test
    void shouldRefuseAPacketLargerThanTheHostAccepts() {
        try (GuestFixture f = GuestFixture.linux()) {
            final GuestChannel ch = f.client.open(f.connectWithDevices(1).getFirst(), OpenOptions.rings(2, 2), TIMEOUT);

            assertThat(ch.trySend(1, false, new byte[ch.maxPayload() + 1])).isEqualTo(WriteStatus.TOO_LARGE);
            assertThat(ch.trySend(2, false, new byte[ch.maxPayload()])).isEqualTo(WriteStatus.WRITTEN);
            assertThat(ch.receive(TIMEOUT).payload()).hasSize(ch.maxPayload());
        }
    }

    @Test
    void shouldSignalTheHostOnlyWhenTheRingWasEmpty() {
        try (GuestFixture f = GuestFixture.linux()) {
            final GuestChannel ch = f.client.open(f.connectWithDevices(1).getFirst(), OpenOptions.defaults(), TIMEOUT);
            f.host.pauseDelivery(true); // irrelevant to rings; keeps the control path quiet

            ch.send(1, false, new byte[8], TIMEOUT);
            ch.receive(TIMEOUT);

            // one signal for the write into an empty ring; the echo drained it, so the next write signals again
            assertThat(ch.guestSignals()).isEqualTo(1);
            ch.send(2, false, new byte[8], TIMEOUT);
            assertThat(ch.guestSignals()).isEqualTo(2);
            f.host.pauseDelivery(false);
        }
    }

    @Test
    void shouldMoveDataOnACopperChannelWithGuestChosenSignalParameters() {
        try (GuestFixture f = new GuestFixture(ServerConfig.defaults(), GuestOptions.copper(Guid.ofData1(9)))) {
            final GuestChannel ch = f.client.open(f.connectWithDevices(1).getFirst(), OpenOptions.rings(3, 3), TIMEOUT);

            for (int i = 0; i < 50; i++) {
                ch.send(i, false, new byte[i * 37], TIMEOUT);
                assertEcho(ch.receive(TIMEOUT), new byte[i * 37], "packet " + i);
            }
            assertThat(ch.hostSignals()).isPositive();
        }
    }

    @Test
    void shouldEchoOnTwoChannelsIndependently() {
        try (GuestFixture f = GuestFixture.linux()) {
            final var offers = f.connectWithDevices(2);
            final GuestChannel a = f.client.open(offers.get(0), OpenOptions.rings(2, 2), TIMEOUT);
            final GuestChannel b = f.client.open(offers.get(1), OpenOptions.rings(2, 2), TIMEOUT);

            a.send(1, false, new byte[] {1}, TIMEOUT);
            b.send(2, false, new byte[] {2}, TIMEOUT);

            assertEcho(b.receive(TIMEOUT), new byte[] {2}, "channel b");
            assertEcho(a.receive(TIMEOUT), new byte[] {1}, "channel a");
            assertThat(a.tryReceive()).isNull();
        }
    }
}
