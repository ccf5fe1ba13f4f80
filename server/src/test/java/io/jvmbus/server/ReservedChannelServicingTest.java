package io.jvmbus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage;
import io.jvmbus.testkit.wire.GuestMessages;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The seed scenario of servicing (reference §4.4, issue #882): a firmware client opens a kernel debugger's channel
 * as reserved and unloads; the host is serviced in that window; the OS client that connects next must not see the
 * channel, and the debugger must still be able to close it. Saved both while the unload is still being acknowledged
 * (Disconnecting) and after (Disconnected: the state the reference lost before 23f7a78 and stopped testing after PR
 * #1809, B20).
 */
@Timeout(10)
final class ReservedChannelServicingTest {

    private static final int RING_GPADL = 10;
    private static final int FW_VP = 1;
    private static final int FW_SINT = 2;

    /** Firmware: Win10, GPADL 10 on channel 1, channel 1 opened reserved, UNLOAD sent (not yet acknowledged). */
    private static ServerHarness firmwareUnloading(final OfferId[] offers) {
        final ServerHarness h = new ServerHarness();
        for (int n = 1; n <= 3; n++) {
            offers[n] = h.offer(n);
        }
        h.connect(ProtocolVersion.WIN10, 0);
        assertThat(h.requestOffers())
                .extracting(ChannelMessage.OfferChannel::channelId)
                .containsExactly(1, 2, 3);
        h.sendOk(GuestMessages.simpleGpadl(1, RING_GPADL));
        assertThat(h.gc(offers[1], RING_GPADL, 0)).isEqualTo(Outcome.OK);
        h.sendOk(GuestMessages.openReservedChannel(1, FW_VP, FW_SINT, RING_GPADL, 0));
        assertThat(h.oc(offers[1], 0)).isEqualTo(Outcome.OK);
        h.drain();
        h.device();
        h.sendOk(GuestMessages.unload());
        // The reserved channel does not block the unload: the reset request goes out at once.
        assertThat(h.nextRelay()).isEqualTo(ModifyConnectionRequest.disconnect());
        assertThat(h.server.inspect().connection().phase()).isEqualTo(ConnectionPhase.DISCONNECTING);
        return h;
    }

    /** A fresh server with the same three devices, the blob restored, the devices' claims made. */
    private static ServerHarness restoreWithSameDevices(final byte[] blob, final OfferId[] offers) {
        final ServerHarness r = new ServerHarness();
        for (int n = 1; n <= 3; n++) {
            offers[n] = r.offer(n);
        }
        final RestoreResult result = r.server.restore(blob);
        assertThat(result).isInstanceOf(RestoreResult.Restored.class);
        final ChannelClaim claim = r.server.restoreChannel(offers[1], true);
        assertThat(claim).isInstanceOf(ChannelClaim.Claimed.class);
        final ChannelClaim.Claimed claimed = (ChannelClaim.Claimed) claim;
        assertThat(claimed.open().ringBufferGpadlId()).isEqualTo(RING_GPADL);
        assertThat(claimed.open().reservedTarget()).isEqualTo(new MessageTarget.Reserved(1, FW_VP, FW_SINT));
        assertThat(claimed.gpadls()).singleElement().satisfies(g -> {
            assertThat(g.gpadlId()).isEqualTo(RING_GPADL);
            assertThat(g.state()).isEqualTo(GpadlState.ACCEPTED);
        });
        assertThat(r.server.restoreChannel(offers[2], false).isClaimed()).isTrue();
        assertThat(r.server.restoreChannel(offers[3], false).isClaimed()).isTrue();
        assertThat(r.pump(r.server.revokeUnclaimedChannels())).isEqualTo(Outcome.OK);
        // Claiming an open reserved channel re-sends nothing: the device holds it open.
        assertThat(r.device()).isEmpty();
        return r;
    }

    private static void assertReservedChannelStillOpen(final ServerHarness r) {
        final ServerSnapshot s = r.server.inspect();
        final ServerSnapshot.ChannelSnapshot ch1 = s.channelById(1);
        assertThat(ch1).isNotNull();
        assertThat(ch1.stateName()).isEqualTo("OPEN_RESERVED");
        assertThat(ch1.reserved().version().version()).isEqualTo(ProtocolVersion.WIN10);
        assertThat(s.gpadls()).singleElement().satisfies(g -> {
            assertThat(g.channelId()).isEqualTo(1);
            assertThat(g.gpadlId()).isEqualTo(RING_GPADL);
            assertThat(g.state()).isEqualTo(GpadlState.ACCEPTED);
        });
    }

    /** The OS connects, is not offered channel 1, the debugger closes it, its GPADL is torn down. */
    private static void osClientConnectsAndDebuggerCloses(final ServerHarness r, final OfferId[] offers) {
        assertReservedChannelStillOpen(r);
        final List<ChannelMessage.OfferChannel> offered = r.connectAndRequestOffers(ProtocolVersion.COPPER, 0);
        assertThat(offered).extracting(ChannelMessage.OfferChannel::channelId).containsExactly(2, 3);
        assertThat(offered).extracting(ChannelMessage.OfferChannel::interfaceId).doesNotContain(Guid.ofData1(1));
        assertReservedChannelStillOpen(r);

        r.sendOk(GuestMessages.closeReservedChannel(1, 4, 5));
        r.expectDevice(ServerHarness.dev(offers[1], DeviceRequest.CLOSE));
        assertThat(r.cc(offers[1])).isEqualTo(Outcome.OK);
        final List<ServerHarness.Sent> sent = r.drain();
        assertThat(sent)
                .containsExactly(new ServerHarness.Sent(
                        new MessageTarget.Reserved(1, 4, 5), new ChannelMessage.CloseReservedChannelResponse(1)));
        // The OS never held channel 1, so it is released and its GPADL torn down through the device.
        r.expectDevice(ServerHarness.dev(offers[1], new DeviceRequest.TeardownGpadl(RING_GPADL, false)));
        assertThat(r.gt(offers[1], RING_GPADL)).isEqualTo(Outcome.OK);
        assertThat(r.server.inspect().gpadls()).isEmpty();
        // Once fully released, the OS is offered it like a hot-added device (B21).
        assertThat(r.messages())
                .singleElement()
                .isInstanceOfSatisfying(
                        ChannelMessage.OfferChannel.class,
                        o -> assertThat(o.interfaceId()).isEqualTo(Guid.ofData1(1)));
    }

    @Test
    void shouldKeepReservedChannelWhenSavedWhileDisconnecting() {
        final OfferId[] old = new OfferId[4];
        final ServerHarness fw = firmwareUnloading(old);
        final byte[] blob = fw.server.save();

        final OfferId[] offers = new OfferId[4];
        final ServerHarness r = restoreWithSameDevices(blob, offers);
        assertThat(r.server.inspect().connection().phase()).isEqualTo(ConnectionPhase.DISCONNECTING);
        assertReservedChannelStillOpen(r);
        // The old process's reset request is re-issued; its acknowledgement completes the unload.
        assertThat(r.nextRelay()).isEqualTo(ModifyConnectionRequest.disconnect());
        assertThat(r.ack()).isEqualTo(Outcome.OK);
        r.expectMessages(new ChannelMessage.UnloadComplete());
        assertThat(r.fx.unloadCompletes).isEqualTo(1);
        assertThat(r.server.inspect().connection().phase()).isEqualTo(ConnectionPhase.DISCONNECTED);

        osClientConnectsAndDebuggerCloses(r, offers);
    }

    @Test
    void shouldKeepReservedChannelWhenSavedWhileDisconnected() {
        final OfferId[] old = new OfferId[4];
        final ServerHarness fw = firmwareUnloading(old);
        assertThat(fw.ack()).isEqualTo(Outcome.OK);
        fw.expectMessages(new ChannelMessage.UnloadComplete());
        assertThat(fw.server.inspect().connection().phase()).isEqualTo(ConnectionPhase.DISCONNECTED);
        final byte[] blob = fw.server.save();

        final OfferId[] offers = new OfferId[4];
        final ServerHarness r = restoreWithSameDevices(blob, offers);
        assertThat(r.server.inspect().connection().phase()).isEqualTo(ConnectionPhase.DISCONNECTED);
        assertThat(r.fx.relay)
                .as("nothing is owed to the host while disconnected")
                .isEmpty();
        r.expectNoMessages();

        osClientConnectsAndDebuggerCloses(r, offers);
    }

    @Test
    void shouldAnswerCloseReservedAtRequestedTargetWhileStillDisconnectedAfterRestore() {
        final OfferId[] old = new OfferId[4];
        final ServerHarness fw = firmwareUnloading(old);
        assertThat(fw.ack()).isEqualTo(Outcome.OK);
        fw.drain();
        final OfferId[] offers = new OfferId[4];
        final ServerHarness r = restoreWithSameDevices(fw.server.save(), offers);

        r.sendOk(GuestMessages.closeReservedChannel(1, 7, 3));
        r.expectDevice(ServerHarness.dev(offers[1], DeviceRequest.CLOSE));
        assertThat(r.cc(offers[1])).isEqualTo(Outcome.OK);
        assertThat(r.drain())
                .containsExactly(new ServerHarness.Sent(
                        new MessageTarget.Reserved(1, 7, 3), new ChannelMessage.CloseReservedChannelResponse(1)));
        r.expectDevice(ServerHarness.dev(offers[1], new DeviceRequest.TeardownGpadl(RING_GPADL, false)));
        assertThat(r.gt(offers[1], RING_GPADL)).isEqualTo(Outcome.OK);
        // Nothing reserved is left: the next client is offered every channel, with fresh ids.
        assertThat(r.connectAndRequestOffers(ProtocolVersion.WIN10, 0))
                .extracting(ChannelMessage.OfferChannel::channelId)
                .containsExactly(1, 2, 3);
    }
}
