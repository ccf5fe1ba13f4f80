package io.jvmbus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.protocol.ConnectionIds;
import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.testkit.wire.GuestMessages;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Inputs a guest or a buggy host can send: none may throw, change state, or go unanswered by a typed error (B1). */
class HostileInputTest {

    /** Host-to-guest message numbers with their struct sizes. */
    private static final int[][] HOST_TO_GUEST = {
        {1, 196}, {2, 12}, {4, 8}, {6, 20}, {10, 20}, {12, 12}, {15, 16}, {15, 20}, {15, 40}, {17, 8}, {20, 12},
        {23, 44}, {24, 16}, {26, 9}, {28, 8}
    };

    private static ServerHarness connectedCopper() {
        final ServerHarness h = new ServerHarness();
        h.offer(1);
        h.connectAndRequestOffers(ProtocolVersion.COPPER, FeatureFlags.ALWAYS_SUPPORTED);
        return h;
    }

    @Test
    void shouldRejectHostToGuestMessagesFromTheGuestWhileDisconnected() {
        // B1: the reference reaches unreachable!() for VERSION_RESPONSE sent by the guest, with no negotiation.
        final ServerHarness h = new ServerHarness();
        for (final int[] t : HOST_TO_GUEST) {
            final ServerSnapshot before = h.server.inspect();
            assertThat(h.send(GuestMessages.raw(t[0], new byte[t[1] - 8])).errorKind())
                    .as("type %d", t[0])
                    .isEqualTo(ErrorKind.DECODE_FAILED);
            assertThat(h.server.inspect()).isEqualTo(before);
        }
        h.expectNoMessages();
    }

    @Test
    void shouldRejectHostToGuestMessagesFromTheGuestWhileConnected() {
        final ServerHarness h = connectedCopper();
        for (final int[] t : HOST_TO_GUEST) {
            final ServerSnapshot before = h.server.inspect();
            assertThat(h.send(GuestMessages.raw(t[0], new byte[t[1] - 8])).errorKind())
                    .as("type %d", t[0])
                    .isEqualTo(ErrorKind.DECODE_FAILED);
            assertThat(h.server.inspect()).isEqualTo(before);
        }
        h.expectNoMessages();
        assertThat(h.device()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 30, 255, 0x7FFFFFFF, 0xFFFFFFFF})
    void shouldRejectUnknownMessageTypes(final int type) {
        final ServerHarness h = connectedCopper();
        assertThat(h.send(GuestMessages.raw(type, new byte[16])).errorKind()).isEqualTo(ErrorKind.DECODE_FAILED);
    }

    @Test
    void shouldRejectMalformedFrames() {
        final ServerHarness h = connectedCopper();
        assertThat(h.send(new byte[0]).errorKind()).isEqualTo(ErrorKind.DECODE_FAILED);
        assertThat(h.send(new byte[7]).errorKind()).isEqualTo(ErrorKind.DECODE_FAILED);
        assertThat(h.send(GuestMessages.raw(5, new byte[240])).errorKind()).isEqualTo(ErrorKind.DECODE_FAILED);
        // Truncated structs.
        assertThat(h.send(GuestMessages.raw(7, new byte[3])).errorKind()).isEqualTo(ErrorKind.DECODE_FAILED);
        assertThat(h.send(GuestMessages.raw(8, new byte[11])).errorKind()).isEqualTo(ErrorKind.DECODE_FAILED);
        assertThat(h.send(GuestMessages.raw(14, new byte[31])).errorKind()).isEqualTo(ErrorKind.DECODE_FAILED);
        assertThat(h.server.handleMessage(null, 1, 0, false).errorKind()).isEqualTo(ErrorKind.DECODE_FAILED);
        assertThat(h.server.handleMessage(new byte[16], 10, 8, 1, 0, false).errorKind())
                .isEqualTo(ErrorKind.DECODE_FAILED);
        assertThat(h.server.handleMessage(new byte[16], -1, 8, 1, 0, false).errorKind())
                .isEqualTo(ErrorKind.DECODE_FAILED);
        h.expectNoMessages();
    }

    @Test
    void shouldRejectMessagesToOtherConnectionIds() {
        final ServerHarness h = new ServerHarness();
        for (final int connectionId : new int[] {0, 2, 3, 5, ConnectionIds.REDIRECT_MESSAGE_CONNECTION_ID, -1}) {
            assertThat(h.server
                            .handleMessage(
                                    GuestMessages.initiateContact(ProtocolVersion.WIN10.code(), 0, 0, 0, 0),
                                    connectionId,
                                    0,
                                    false)
                            .errorKind())
                    .isEqualTo(ErrorKind.INVALID_CONNECTION_ID);
        }
        assertThat(h.fx.relayLog).isEmpty();
    }

    @Test
    void shouldIgnoreStrayAndUnknownCompletions() {
        final ServerHarness h = connectedCopper();
        final OfferId live = new OfferId(1);
        final OfferId unknown = new OfferId(99);
        final ServerSnapshot before = h.server.inspect();
        assertThat(h.oc(live, 0).errorKind()).isEqualTo(ErrorKind.STRAY_COMPLETION);
        assertThat(h.cc(live).errorKind()).isEqualTo(ErrorKind.STRAY_COMPLETION);
        assertThat(h.gc(live, 5, 0).errorKind()).isEqualTo(ErrorKind.STRAY_COMPLETION);
        assertThat(h.gt(live, 5).errorKind()).isEqualTo(ErrorKind.STRAY_COMPLETION);
        assertThat(h.mc(live, 0).errorKind()).isEqualTo(ErrorKind.STRAY_COMPLETION);
        assertThat(h.oc(unknown, 0).errorKind()).isEqualTo(ErrorKind.UNKNOWN_OFFER);
        assertThat(h.oc(null, 0).errorKind()).isEqualTo(ErrorKind.UNKNOWN_OFFER);
        assertThat(h.revoke(unknown).errorKind()).isEqualTo(ErrorKind.UNKNOWN_OFFER);
        assertThat(h.server.completeModifyConnection(null).errorKind()).isEqualTo(ErrorKind.UNEXPECTED_RELAY_RESPONSE);
        assertThat(h.server.completeHvsockConnect(null).errorKind()).isEqualTo(ErrorKind.UNKNOWN_HVSOCK_REQUEST);
        assertThat(h.server.offerChannel(null)).isInstanceOf(OfferResult.Rejected.class);
        assertThat(h.server.inspect()).isEqualTo(before);
        h.expectNoMessages();
    }

    @Test
    void shouldSurviveRandomBytesInEveryConnectionState() {
        final Random random = new Random(20261126);
        for (int round = 0; round < 4; round++) {
            final ServerHarness h = new ServerHarness();
            h.offer(1);
            h.offer(2);
            switch (round) {
                case 0 -> {}
                case 1 -> h.sendOk(GuestMessages.initiateContact(ProtocolVersion.IRON.code(), 0, 2, 0, 0));
                case 2 -> h.connectAndRequestOffers(ProtocolVersion.COPPER, FeatureFlags.ALWAYS_SUPPORTED);
                default -> {
                    h.connectAndRequestOffers(ProtocolVersion.WIN10, 0);
                    h.sendOk(GuestMessages.openChannel(1, 1, 0, 0, 1));
                    h.oc(new OfferId(1), 0);
                    h.sendOk(GuestMessages.unload());
                }
            }
            for (int i = 0; i < 3000; i++) {
                final byte[] m = new byte[8 + random.nextInt(233)];
                random.nextBytes(m);
                // A plausible message number half the time, so the handlers (not just the decoder) see garbage.
                if (random.nextBoolean()) {
                    m[0] = (byte) (1 + random.nextInt(29));
                    m[1] = 0;
                    m[2] = 0;
                    m[3] = 0;
                }
                h.send(m);
                h.drain();
                assertThat(h.server.queuedMessages())
                        .isLessThanOrEqualTo(h.server.config().maxQueuedMessages());
            }
        }
    }
}
