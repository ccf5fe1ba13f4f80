package io.jvmbus.server;

import static io.jvmbus.server.ServerHarness.dev;
import static io.jvmbus.server.ServerHarness.offerMessage;
import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.protocol.ConnectionIds;
import io.jvmbus.protocol.NtStatus;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage.AllOffersDelivered;
import io.jvmbus.protocol.message.ChannelMessage.CloseReservedChannelResponse;
import io.jvmbus.protocol.message.ChannelMessage.GpadlCreated;
import io.jvmbus.protocol.message.ChannelMessage.OpenResult;
import io.jvmbus.protocol.message.ChannelMessage.RescindChannelOffer;
import io.jvmbus.protocol.message.ChannelMessage.UnloadComplete;
import io.jvmbus.testkit.wire.GuestMessages;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reserved channels: reference tests #37, #38, #39, and B6, B12, B14, B21. */
class ReservedChannelTest {

    private static MessageTarget.Reserved target(final int channelId, final int vp, final int sint) {
        return new MessageTarget.Reserved(channelId, vp, sint);
    }

    private static ServerHarness.Sent sent(
            final MessageTarget target, final io.jvmbus.protocol.message.ChannelMessage m) {
        return new ServerHarness.Sent(target, m);
    }

    /** OFF(1..n); CONNECT(Win10, 0); RO. */
    private static ServerHarness connected(final int channels) {
        final ServerHarness h = new ServerHarness();
        for (int n = 1; n <= channels; n++) {
            h.offer(n);
        }
        h.connectAndRequestOffers(ProtocolVersion.WIN10, 0);
        return h;
    }

    private static OfferId off(final int n) {
        return new OfferId(n);
    }

    private static void gpadl(final ServerHarness h, final int channel, final int gpadl, final OfferId offer) {
        h.sendOk(GuestMessages.simpleGpadl(channel, gpadl));
        h.gc(offer, gpadl, 0);
        assertThat(h.messages()).containsExactly(new GpadlCreated(channel, gpadl, 0));
        h.device();
    }

    @Test
    void shouldKeepReservedChannelsAcrossUnloadAndNeverOfferThemToTheNextClient() {
        final ServerHarness h = connected(3);
        gpadl(h, 1, 10, off(1));
        h.sendOk(GuestMessages.openReservedChannel(1, 1, 2, 10, 0));
        final DeviceRequest.Open open = (DeviceRequest.Open) h.device().get(0).request();
        assertThat(open.params().targetVp()).isEqualTo(ConnectionIds.VP_INDEX_DISABLE_INTERRUPT);
        assertThat(open.params().reservedTarget()).isEqualTo(target(1, 1, 2));
        assertThat(open.params().openId()).isZero();
        h.oc(off(1), 0);
        assertThat(h.drain()).containsExactly(sent(target(1, 1, 2), new OpenResult(1, 0, 0)));
        h.sendOk(GuestMessages.openReservedChannel(2, 2, 2, 0, 0));
        h.oc(off(2), 0);
        h.sendOk(GuestMessages.openReservedChannel(3, 3, 2, 0, 0));
        h.oc(off(3), 0);
        h.drain();
        h.device();
        assertThat(h.send(GuestMessages.closeChannel(2)).errorKind()).isEqualTo(ErrorKind.CHANNEL_RESERVED);

        h.sendOk(GuestMessages.unload());
        h.ack();
        h.expectMessages(new UnloadComplete());
        assertThat(h.device()).isEmpty();
        final ServerSnapshot afterUnload = h.server.inspect();
        assertThat(afterUnload.channels())
                .extracting(ServerSnapshot.ChannelSnapshot::stateName)
                .containsExactly("OPEN_RESERVED", "OPEN_RESERVED", "OPEN_RESERVED");
        assertThat(afterUnload.gpadls()).hasSize(1);

        // Closed while disconnected: the response goes to the target named in the close; the channel is released.
        h.sendOk(GuestMessages.closeReservedChannel(2, 2, 2));
        h.expectDevice(dev(off(2), DeviceRequest.CLOSE));
        h.cc(off(2));
        assertThat(h.drain()).containsExactly(sent(target(2, 2, 2), new CloseReservedChannelResponse(2)));
        assertThat(h.server.inspect().channelById(2)).isNull();

        h.connect(ProtocolVersion.COPPER, 0);
        h.sendOk(GuestMessages.requestOffers());
        h.expectMessages(offerMessage(2, 2), new AllOffersDelivered());

        // GPADL ids are per channel: 10 is in use on reserved channel 1 too.
        gpadl(h, 2, 10, off(2));
        h.sendOk(GuestMessages.openReservedChannel(2, 3, 2, 10, 0));
        h.oc(off(2), 0);
        h.drain();
        h.device();

        // B21: channel 1 was reserved by the previous client; once closed it is released and offered to this one.
        h.sendOk(GuestMessages.closeReservedChannel(1, 4, 2));
        h.cc(off(1));
        assertThat(h.drain()).containsExactly(sent(target(1, 4, 2), new CloseReservedChannelResponse(1)));
        h.expectDevice(dev(off(1), DeviceRequest.CLOSE), dev(off(1), new DeviceRequest.TeardownGpadl(10, false)));
        assertThat(h.server
                        .inspect()
                        .channel(
                                new OfferKey(io.jvmbus.protocol.Guid.ofData1(1), io.jvmbus.protocol.Guid.ofData1(1), 0))
                        .hotAddPending())
                .isTrue();
        h.gt(off(1), 10);
        h.expectMessages(offerMessage(1, 1));
        // The old GPADL_TEARDOWN target is gone with the old client; the new offer is an ordinary channel.
        h.sendOk(GuestMessages.openChannel(1, 1, 10, 0, 1));
        h.oc(off(1), 0);
        h.expectMessages(new OpenResult(1, 1, 0));
        h.device();

        h.reset();
        assertThat(h.device())
                .containsExactlyInAnyOrder(
                        dev(off(1), DeviceRequest.CLOSE),
                        dev(off(2), DeviceRequest.CLOSE),
                        dev(off(2), new DeviceRequest.TeardownGpadl(10, false)),
                        dev(off(3), DeviceRequest.CLOSE));
        h.cc(off(1));
        h.cc(off(2));
        h.gt(off(2), 10);
        assertThat(h.fx.relay).isEmpty();
        h.cc(off(3));
        h.ack();
        assertThat(h.fx.resetCompletes).isEqualTo(1);
        h.expectNoMessages();
    }

    @Test
    void shouldSendTheReservedCloseResponseAfterUnload() {
        final ServerHarness h = connected(1);
        gpadl(h, 1, 10, off(1));
        h.sendOk(GuestMessages.openReservedChannel(1, 1, 5, 10, 0));
        h.oc(off(1), 0);
        h.drain();
        h.sendOk(GuestMessages.unload());
        h.ack();
        h.drain();
        h.sendOk(GuestMessages.closeReservedChannel(1, 4, 5));
        h.cc(off(1));
        assertThat(h.drain()).containsExactly(sent(target(1, 4, 5), new CloseReservedChannelResponse(1)));
    }

    @Test
    void shouldCloseReservedChannelsOnResetWhileDisconnected() {
        final ServerHarness h = connected(1);
        gpadl(h, 1, 10, off(1));
        h.sendOk(GuestMessages.openReservedChannel(1, 1, 2, 10, 0));
        h.oc(off(1), 0);
        h.sendOk(GuestMessages.unload());
        h.ack();
        h.drain();
        h.device();
        h.reset();
        // As in the reference, a release asks for the GPADL teardowns first, then the close.
        h.expectDevice(dev(off(1), new DeviceRequest.TeardownGpadl(10, false)), dev(off(1), DeviceRequest.CLOSE));
        h.cc(off(1));
        assertThat(h.fx.relay).isEmpty();
        h.gt(off(1), 10);
        assertThat(h.nextRelay()).isEqualTo(ModifyConnectionRequest.disconnect());
        assertThat(h.fx.resetCompletes).isZero();
        h.ack();
        assertThat(h.fx.resetCompletes).isEqualTo(1);

        final OfferId o2 = h.offer(2);
        h.connectAndRequestOffers(ProtocolVersion.WIN10, 0);
        gpadl(h, 2, 20, o2);
        h.sendOk(GuestMessages.openReservedChannel(2, 2, 2, 20, 0));
        h.oc(o2, 0);
        h.sendOk(GuestMessages.unload());
        h.ack();
        h.sendOk(GuestMessages.closeReservedChannel(2, 2, 2));
        h.cc(o2);
        h.gt(o2, 20);
        h.drain();
        h.fx.relayLog.clear();
        h.reset();
        assertThat(h.fx.resetCompletes).isEqualTo(2);
        assertThat(h.fx.relayLog).isEmpty();
    }

    @Test
    void shouldWaitForTeardownsWhenContactedRightAfterAReservedCloseWhileDisconnected() {
        // B6: the reference asserts here (the released channel's GPADL is still tearing down) and panics.
        final ServerHarness h = connected(1);
        gpadl(h, 1, 10, off(1));
        h.sendOk(GuestMessages.openReservedChannel(1, 1, 2, 10, 0));
        h.oc(off(1), 0);
        h.sendOk(GuestMessages.unload());
        h.ack();
        h.sendOk(GuestMessages.closeReservedChannel(1, 1, 2));
        h.cc(off(1));
        h.drain();
        h.device();
        assertThat(h.server.inspect().gpadls())
                .extracting(ServerSnapshot.GpadlSnapshot::state)
                .containsExactly(GpadlState.TEARING_DOWN);
        h.sendOk(GuestMessages.initiateContact(ProtocolVersion.WIN10.code(), 0, 0, 0, 0));
        assertThat(h.server.inspect().connection().phase()).isEqualTo(ConnectionPhase.DISCONNECTING);
        assertThat(h.fx.relay).isEmpty();
        h.gt(off(1), 10);
        assertThat(h.nextRelay()).isEqualTo(ModifyConnectionRequest.disconnect());
        h.ack();
        assertThat(h.nextRelay().version()).isEqualTo(new VersionInfo(ProtocolVersion.WIN10, 0));
        h.ack();
        assertThat(h.messages()).hasSize(1);
        assertThat(h.requestOffers()).containsExactly(offerMessage(1, 1));
    }

    @Test
    void shouldNotRescindToAnUnconnectedDefaultTarget() {
        // B12: a reserved channel revoked while no client is connected must not produce a RESCIND.
        final ServerHarness h = connected(2);
        h.sendOk(GuestMessages.simpleGpadl(1, 10));
        h.sendOk(GuestMessages.openReservedChannel(1, 1, 2, 10, 0));
        h.oc(off(1), 0);
        h.sendOk(GuestMessages.openReservedChannel(2, 1, 2, 0, 0));
        h.oc(off(2), 0);
        h.sendOk(GuestMessages.unload());
        h.ack();
        h.drain();
        // GPADL 10 is still with the device (offered) when the device is revoked.
        assertThat(h.revoke(off(1))).isEqualTo(Outcome.OK);
        h.expectNoMessages();
        assertThat(h.server.inspect().channelById(1)).isNull();
        assertThat(h.server.inspect().gpadls()).isEmpty();
        // A new client that never saw the reserved channel 2 gets no RESCIND either.
        h.connect(ProtocolVersion.WIN10, 0);
        h.requestOffers();
        h.revoke(off(2));
        h.expectNoMessages();
        assertThat(h.server.inspect().channels()).isEmpty();
    }

    @Test
    void shouldRescindAReservedChannelToTheClientThatHoldsIt() {
        final ServerHarness h = connected(1);
        h.sendOk(GuestMessages.openReservedChannel(1, 1, 2, 0, 0));
        h.oc(off(1), 0);
        h.drain();
        h.revoke(off(1));
        h.expectMessages(new RescindChannelOffer(1));
        h.sendOk(GuestMessages.relIdReleased(1));
        assertThat(h.server.inspect().channels()).isEmpty();
    }

    @Test
    void shouldReleaseAChannelWhoseReservedOpenFailedWhileDisconnected() {
        // B14: the reference leaves it Closed with its id and GPADLs, which it cannot even save.
        final ServerHarness h = connected(1);
        gpadl(h, 1, 10, off(1));
        h.sendOk(GuestMessages.openReservedChannel(1, 7, 3, 10, 0));
        h.sendOk(GuestMessages.unload());
        h.ack();
        h.drain();
        h.device();
        assertThat(h.server.inspect().channelById(1).stateName()).isEqualTo("OPENING_RESERVED");
        h.oc(off(1), NtStatus.UNSUCCESSFUL);
        assertThat(h.drain()).containsExactly(sent(target(1, 7, 3), new OpenResult(1, 0, NtStatus.UNSUCCESSFUL)));
        h.expectDevice(dev(off(1), new DeviceRequest.TeardownGpadl(10, false)));
        assertThat(h.server.inspect().channelById(1)).isNull();
        h.gt(off(1), 10);
        h.expectNoMessages();
        assertThat(h.server.inspect().gpadls()).isEmpty();
        h.connect(ProtocolVersion.WIN10, 0);
        assertThat(h.requestOffers()).containsExactly(offerMessage(1, 1));
    }

    @Test
    void shouldKeepAReservedChannelClosedForTheClientThatOpenedIt() {
        final ServerHarness h = connected(1);
        h.sendOk(GuestMessages.openReservedChannel(1, 1, 2, 0, 0));
        h.oc(off(1), 0);
        h.sendOk(GuestMessages.closeReservedChannel(1, 1, 2));
        h.cc(off(1));
        assertThat(h.drain())
                .containsExactly(
                        sent(target(1, 1, 2), new OpenResult(1, 0, 0)),
                        sent(target(1, 1, 2), new CloseReservedChannelResponse(1)));
        final ServerSnapshot.ChannelSnapshot c = h.server.inspect().channelById(1);
        assertThat(c.stateName()).isEqualTo("CLOSED");
        assertThat(c.hotAddPending()).isFalse();
        h.sendOk(GuestMessages.openChannel(1, 5, 0, 0, 1));
        h.oc(off(1), 0);
        h.expectMessages(new OpenResult(1, 5, 0));
    }

    @Test
    void shouldKeepReservedChannelsWhenTheGuestReconnects() {
        final ServerHarness h = connected(2);
        h.sendOk(GuestMessages.openReservedChannel(2, 1, 2, 0, 0));
        h.oc(off(2), 0);
        h.drain();
        h.sendOk(GuestMessages.initiateContact(ProtocolVersion.WIN10.code(), 0, 0, 0, 0));
        h.ack();
        h.ack();
        h.messages();
        assertThat(h.requestOffers()).containsExactly(offerMessage(1, 1));
        assertThat(h.server.inspect().channelById(2).stateName()).isEqualTo("OPEN_RESERVED");
        assertThat(h.fx.unloadCompletes).isZero();
    }

    @Test
    void shouldAnswerOutOfStateReservedOpensOnTheRequestedTarget() {
        final ServerHarness h = connected(1);
        assertThat(h.send(GuestMessages.openReservedChannel(9, 4, 6, 0, 0)).errorKind())
                .isEqualTo(ErrorKind.UNKNOWN_CHANNEL_ID);
        h.sendOk(GuestMessages.openReservedChannel(1, 1, 2, 0, 0));
        assertThat(h.send(GuestMessages.openReservedChannel(1, 4, 6, 0, 0)).errorKind())
                .isEqualTo(ErrorKind.CHANNEL_ALREADY_OPEN);
        assertThat(h.drain())
                .containsExactly(
                        sent(new MessageTarget.Custom(4, 6), new OpenResult(9, 0, NtStatus.UNSUCCESSFUL)),
                        sent(new MessageTarget.Custom(4, 6), new OpenResult(1, 0, NtStatus.UNSUCCESSFUL)));
        h.oc(off(1), 0);
        h.sendOk(GuestMessages.closeReservedChannel(1, 1, 2));
        // A normal open during a reserved close would lose the close response (the reference allows it).
        assertThat(h.send(GuestMessages.openChannel(1, 3, 0, 0, 1)).errorKind()).isEqualTo(ErrorKind.CHANNEL_RESERVED);
        assertThat(h.send(GuestMessages.relIdReleased(1)).errorKind()).isEqualTo(ErrorKind.CHANNEL_RESERVED);
        assertThat(h.send(GuestMessages.closeReservedChannel(1, 1, 2)).errorKind())
                .isEqualTo(ErrorKind.CHANNEL_NOT_OPEN);
        h.cc(off(1));
        final List<ServerHarness.Sent> s = h.drain();
        assertThat(s)
                .extracting(ServerHarness.Sent::message)
                .contains(new OpenResult(1, 3, NtStatus.UNSUCCESSFUL), new CloseReservedChannelResponse(1));
    }

    @Test
    void shouldOfferAChannelReleasedWhileConnectingOnlyAfterItsTeardownsFinish() {
        // Found by the random test: the teardown of the old client's GPADL must not be answered to the new client.
        final ServerHarness h = connected(1);
        gpadl(h, 1, 3, off(1));
        h.sendOk(GuestMessages.openReservedChannel(1, 1, 2, 3, 0));
        h.oc(off(1), 0);
        h.sendOk(GuestMessages.unload());
        h.ack();
        h.drain();
        h.sendOk(GuestMessages.initiateContact(ProtocolVersion.WIN10.code(), 0, 0, 0, 0));
        // Connecting: the reserved channel is closed and released; its GPADL is still with the device.
        h.sendOk(GuestMessages.closeReservedChannel(1, 1, 2));
        h.cc(off(1));
        h.device();
        h.ack();
        h.messages();
        h.sendOk(GuestMessages.requestOffers());
        h.expectMessages(new AllOffersDelivered());
        assertThat(h.server.inspect().channels().get(0).hotAddPending()).isTrue();
        h.gt(off(1), 3);
        // No GPADL_TORNDOWN for the old client's GPADL; the channel is offered now.
        h.expectMessages(offerMessage(1, 1));
    }
}
