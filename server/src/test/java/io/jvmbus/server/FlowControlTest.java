package io.jvmbus.server;

import static io.jvmbus.server.ServerHarness.offerMessage;
import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage.CloseReservedChannelResponse;
import io.jvmbus.protocol.message.ChannelMessage.GpadlCreated;
import io.jvmbus.protocol.message.ChannelMessage.OpenResult;
import io.jvmbus.protocol.message.ChannelMessage.PauseResponse;
import io.jvmbus.protocol.message.ChannelMessage.UnloadComplete;
import io.jvmbus.testkit.wire.GuestMessages;
import org.junit.jupiter.api.Test;

/** The outgoing queue: order, back-pressure, targeted messages, PAUSE/RESUME (B10), the bound (reference #34). */
class FlowControlTest {

    private static OfferId off(final int n) {
        return new OfferId(n);
    }

    @Test
    void shouldDeliverDefaultMessagesInOrderAndRefuseGuestMessagesWhileTheyWait() {
        final ServerHarness h = new ServerHarness();
        h.offer(1);
        h.connectAndRequestOffers(ProtocolVersion.WIN10, 0);
        h.pend = true;
        h.offer(2);
        h.offer(3);
        assertThat(h.server.acceptingMessages()).isFalse();
        assertThat(h.send(GuestMessages.requestOffers()).errorKind()).isEqualTo(ErrorKind.BUSY);
        final OutgoingMessage first = h.server.peekOutgoing();
        assertThat(first.message()).isEqualTo(offerMessage(2, 2));
        // Peeking again gives the same message: it stays queued until delivered.
        assertThat(h.server.peekOutgoing()).isEqualTo(first);
        assertThat(h.server.outgoingDelivered(first.sequence() + 1).errorKind()).isEqualTo(ErrorKind.UNKNOWN_MESSAGE);
        assertThat(h.server.outgoingDelivered(first.sequence())).isEqualTo(Outcome.OK);
        assertThat(h.server.outgoingDelivered(first.sequence()).errorKind()).isEqualTo(ErrorKind.UNKNOWN_MESSAGE);
        h.pend = false;
        h.expectMessages(offerMessage(3, 3));
        assertThat(h.server.acceptingMessages()).isTrue();
    }

    @Test
    void shouldLetTargetedMessagesOvertakeQueuedDefaultMessages() {
        final ServerHarness h = new ServerHarness();
        h.offer(1);
        h.offer(2);
        h.offer(3);
        h.connectAndRequestOffers(ProtocolVersion.COPPER, 0);
        h.sendOk(GuestMessages.openReservedChannel(2, 4, 2, 0, 0));
        h.sendOk(GuestMessages.simpleGpadl(1, 10));
        h.sendOk(GuestMessages.openChannel(3, 3, 0, 0, 1));
        h.pend = true;
        h.gc(off(1), 10, 0);
        h.oc(off(3), 0);
        h.oc(off(2), 0);
        assertThat(h.server.queuedMessages()).isEqualTo(3);
        assertThat(h.server.inspect().outgoing())
                .extracting(ServerSnapshot.QueuedMessage::message)
                .containsExactly(new OpenResult(2, 0, 0), new GpadlCreated(1, 10, 0), new OpenResult(3, 3, 0));
        h.pend = false;
        assertThat(h.drain())
                .containsExactly(
                        new ServerHarness.Sent(new MessageTarget.Reserved(2, 4, 2), new OpenResult(2, 0, 0)),
                        new ServerHarness.Sent(MessageTarget.DEFAULT, new GpadlCreated(1, 10, 0)),
                        new ServerHarness.Sent(MessageTarget.DEFAULT, new OpenResult(3, 3, 0)));
        assertThat(h.server.queuedMessages()).isZero();
    }

    @Test
    void shouldDeliverPauseResponseWhilePausedAndHoldLaterMessagesUntilResume() {
        // B10: the reference queues PAUSE_RESPONSE behind the pause and never flushes it while paused.
        final ServerHarness h = new ServerHarness();
        h.offer(1);
        h.connectAndRequestOffers(ProtocolVersion.COPPER, FeatureFlags.PAUSE_RESUME);
        h.sendOk(GuestMessages.openReservedChannel(1, 3, 2, 0, 0));
        h.oc(off(1), 0);
        h.drain();
        h.sendOk(GuestMessages.closeReservedChannel(1, 3, 2));
        h.pend = true;
        h.sendOk(GuestMessages.pause());
        h.offer(2);
        h.pend = false;
        // Rejected until the PAUSE_RESPONSE is out, then taken again (RESUME must get in).
        assertThat(h.server.inspect().connection().paused()).isTrue();
        assertThat(h.drain()).containsExactly(new ServerHarness.Sent(MessageTarget.DEFAULT, new PauseResponse()));
        assertThat(h.server.acceptingMessages()).isTrue();
        h.cc(off(1));
        // Targeted messages ignore the pause; the hot-added offer waits.
        assertThat(h.drain())
                .containsExactly(new ServerHarness.Sent(
                        new MessageTarget.Reserved(1, 3, 2), new CloseReservedChannelResponse(1)));
        assertThat(h.server.inspect().outgoing())
                .singleElement()
                .extracting(ServerSnapshot.QueuedMessage::heldByPause)
                .isEqualTo(true);
        assertThat(h.send(GuestMessages.requestOffers()).errorKind()).isEqualTo(ErrorKind.PAUSED);
        h.sendOk(GuestMessages.resume());
        h.expectMessages(offerMessage(2, 2));
        assertThat(h.server.inspect().connection().paused()).isFalse();
    }

    @Test
    void shouldUnpauseOnUnload() {
        final ServerHarness h = new ServerHarness();
        h.connect(ProtocolVersion.COPPER, FeatureFlags.PAUSE_RESUME);
        h.sendOk(GuestMessages.pause());
        h.expectMessages(new PauseResponse());
        h.sendOk(GuestMessages.unload());
        h.ack();
        h.expectMessages(new UnloadComplete());
    }

    @Test
    void shouldKeepTheQueueBoundedAndLeaveStateUnchangedWhenRefusingACompletion() {
        final ServerConfig config =
                ServerConfig.builder().maxChannels(4).maxQueuedMessages(24).build();
        final int hostBudget = config.maxQueuedMessages() - (config.channelLimit() + 4);
        final ServerHarness h = new ServerHarness(config);
        final OfferId a = h.offer(1);
        h.connectAndRequestOffers(ProtocolVersion.WIN10, 0);
        final int gpadls = 30;
        for (int g = 1; g <= gpadls; g++) {
            h.sendOk(GuestMessages.simpleGpadl(1, g));
        }
        h.pend = true;
        int completed = 0;
        for (int g = 1; g <= gpadls; g++) {
            final ServerSnapshot before = h.server.inspect();
            final Outcome o = h.gc(a, g, 0);
            if (!o.isOk()) {
                // Refused with nothing changed; the host retries once messages were delivered.
                assertThat(o.errorKind()).isEqualTo(ErrorKind.QUEUE_FULL);
                assertThat(h.server.inspect()).isEqualTo(before);
                break;
            }
            completed++;
            assertThat(h.server.queuedMessages()).isLessThanOrEqualTo(hostBudget);
        }
        assertThat(completed).isBetween(hostBudget - 3, hostBudget);
        // A host offer is refused the same way; the guest's own room (one whole REQUEST_OFFERS) is kept.
        final OfferResult offer = h.server.offerChannel(
                OfferParams.builder(Guid.ofData1(2), Guid.ofData1(2)).build());
        assertThat(((OfferResult.Rejected) offer).error().kind()).isEqualTo(ErrorKind.QUEUE_FULL);
        h.pend = false;
        assertThat(h.drain()).hasSize(completed);
        assertThat(h.gc(a, completed + 1, 0)).isEqualTo(Outcome.OK);
        h.expectMessages(new GpadlCreated(1, completed + 1, 0));
    }

    @Test
    void shouldStopTakingGuestMessagesAtTheHvsockLimit() {
        final ServerHarness h = new ServerHarness(
                ServerConfig.builder().maxOutstandingHvsockRequests(2).build());
        h.connect(ProtocolVersion.WIN10, 0);
        h.sendOk(GuestMessages.tlConnectRequest(Guid.ofData1(1), Guid.ofData1(100)));
        assertThat(h.server.acceptingMessages()).isTrue();
        h.sendOk(GuestMessages.tlConnectRequest(Guid.ofData1(2), Guid.ofData1(100)));
        assertThat(h.server.acceptingMessages()).isFalse();
        assertThat(h.send(GuestMessages.requestOffers()).errorKind()).isEqualTo(ErrorKind.BUSY);
        assertThat(h.server.inspect().hvsockRequests()).hasSize(2);
        h.hvsockResult(new HvsockConnectResult(Guid.ofData1(100), Guid.ofData1(1), true));
        assertThat(h.server.acceptingMessages()).isTrue();
        h.sendOk(GuestMessages.requestOffers());
    }

    @Test
    void shouldClearTheQueueOnReset() {
        final ServerHarness h = new ServerHarness();
        h.connect(ProtocolVersion.WIN10, 0);
        h.sendOk(GuestMessages.requestOffers());
        h.drain();
        h.pend = true;
        h.offer(1);
        h.offer(2);
        assertThat(h.server.queuedMessages()).isEqualTo(2);
        h.reset();
        h.ack();
        assertThat(h.fx.resetCompletes).isEqualTo(1);
        assertThat(h.server.queuedMessages()).isZero();
        assertThat(h.server.peekOutgoing()).isNull();
    }
}
