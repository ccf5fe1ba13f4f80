package io.jvmbus.server;

import static io.jvmbus.server.ServerHarness.dev;
import static io.jvmbus.server.ServicingHarness.claim;
import static io.jvmbus.server.ServicingHarness.finish;
import static io.jvmbus.server.ServicingHarness.freshWithOffers;
import static io.jvmbus.server.ServicingHarness.restore;
import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.protocol.ConnectionState;
import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.NtStatus;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage;
import io.jvmbus.testkit.wire.GuestMessages;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Device claims ({@code restoreChannel}), {@code revokeUnclaimedChannels}, what a restore re-issues, and the
 * reference's servicing bugs B4, B5, B7, B9, B14 (B20 is {@link ReservedChannelServicingTest}).
 */
@Timeout(10)
final class ServicingClaimTest {

    private static final ServerConfig CONFIG = ServerConfig.defaults();

    /** OFF(1..n), CONNECT(version, flags), RO. */
    private static ServerHarness connected(
            final ServerConfig config, final int n, final ProtocolVersion v, final int f) {
        final ServerHarness h = new ServerHarness(config);
        for (int i = 1; i <= n; i++) {
            h.offer(i);
        }
        h.connectAndRequestOffers(v, f);
        return h;
    }

    private static OfferId off(final int n) {
        return new OfferId(n);
    }

    // ---- B4: an in-progress GPADL keeps its expected length
    // ----------------------------------------------------------

    @Test
    void shouldCompleteInProgressGpadlAfterRestoreWithItsDeclaredLength() {
        final ServerHarness h = connected(CONFIG, 1, ProtocolVersion.COPPER, 0);
        // Header declares 4 words (len 32) and carries 2: in progress.
        h.sendOk(GuestMessages.gpadlHeader(1, 7, 32, 2, 0x1_0000_0000L | 0x10, 0x55L));
        h.expectNoMessages();
        final byte[] blob = h.server.save();

        final OfferId[] offers = new OfferId[2];
        final ServerHarness r = freshWithOffers(CONFIG, offers, 1);
        restore(r, blob);
        assertThat(r.server.inspect().gpadls()).singleElement().satisfies(g -> {
            assertThat(g.state()).isEqualTo(GpadlState.IN_PROGRESS);
            assertThat(g.expectedWords()).isEqualTo(4);
            assertThat(g.receivedWords()).isEqualTo(2);
        });
        claim(r, offers[1], false);
        finish(r);
        r.device();
        // The body brings the two missing words plus a trailing one the length excludes: exactly 4 words, 2 ranges.
        r.sendOk(GuestMessages.gpadlBody(0, 7, 0x1L, 0x66L, 0xDEADL));
        final List<RecordingEffects.Device> d = r.device();
        assertThat(d).singleElement().satisfies(x -> {
            final DeviceRequest.CreateGpadl g = (DeviceRequest.CreateGpadl) x.request();
            assertThat(g.gpadlId()).isEqualTo(7);
            assertThat(g.data().toLongs()).containsExactly(0x1_0000_0000L | 0x10, 0x55L, 0x1L, 0x66L);
            assertThat(g.ranges()).hasSize(2);
        });
    }

    // ---- B5: GPA pinning (0x80) is restorable, and only where the server can honour it
    // -------------------------------

    @Test
    void shouldRestoreConnectionThatNegotiatedGpaPinning() {
        final ServerConfig pinning = ServerConfig.builder().gpaPinning(true).build();
        final ServerHarness h = connected(pinning, 1, ProtocolVersion.COPPER, FeatureFlags.GPA_PINNING);
        assertThat(h.server.inspect().connection().version().featureFlags()).isEqualTo(FeatureFlags.GPA_PINNING);
        final byte[] blob = h.server.save();

        final OfferId[] offers = new OfferId[2];
        final ServerHarness r = freshWithOffers(pinning, offers, 1);
        restore(r, blob);
        assertThat(r.server.inspect().connection().version())
                .isEqualTo(new VersionInfo(ProtocolVersion.COPPER, FeatureFlags.GPA_PINNING));

        final ServerHarness noPinning = freshWithOffers(CONFIG, new OfferId[2], 1);
        assertThat(noPinning.server.restore(blob).errorKind()).isEqualTo(RestoreErrorKind.UNSUPPORTED_FEATURE_FLAGS);
    }

    @Test
    void shouldHandTheDeviceTheTargetVpAConfirmedModifyChose() {
        final ServerHarness h = connected(CONFIG, 1, ProtocolVersion.IRON, 0);
        h.sendOk(GuestMessages.openChannel(1, 1, 0, 2, 1));
        h.oc(off(1), 0);
        h.sendOk(GuestMessages.modifyChannel(1, 5));
        assertThat(h.mc(off(1), 0)).isEqualTo(Outcome.OK);
        h.drain();
        h.device();
        final byte[] blob = h.server.save();

        final OfferId[] offers = new OfferId[2];
        final ServerHarness r = freshWithOffers(CONFIG, offers, 1);
        restore(r, blob);
        final ChannelClaim.Claimed c = claim(r, offers[1], true);
        // the device's interrupts go where the guest moved them, not where it first opened the channel
        assertThat(c.open().targetVp()).isEqualTo(5);
        assertThat(c.open().openId()).isEqualTo(1);
        assertThat(c.open().downstreamRingBufferPageOffset()).isEqualTo(1);
        finish(r);
        assertThat(r.server.inspect().channelById(1).openRequest().targetVp()).isEqualTo(5);
    }

    // ---- B7: a reserved channel saved while closing -----------------------------------------------------------------

    private static byte[] savedWhileClosingReserved(final ServerHarness h) {
        h.sendOk(GuestMessages.simpleGpadl(1, 10));
        h.gc(off(1), 10, 0);
        h.sendOk(GuestMessages.openReservedChannel(1, 1, 2, 10, 0));
        h.oc(off(1), 0);
        h.drain();
        h.device();
        h.sendOk(GuestMessages.closeReservedChannel(1, 6, 3));
        h.expectDevice(dev(off(1), DeviceRequest.CLOSE));
        assertThat(h.server.inspect().channelById(1).stateName()).isEqualTo("CLOSING_RESERVED");
        return h.server.save();
    }

    @Test
    void shouldResendCloseOfReservedChannelAndAnswerAtTheCloseTarget() {
        final ServerHarness h = connected(CONFIG, 1, ProtocolVersion.WIN10, 0);
        final byte[] blob = savedWhileClosingReserved(h);

        final OfferId[] offers = new OfferId[2];
        final ServerHarness r = freshWithOffers(CONFIG, offers, 1);
        restore(r, blob);
        final ChannelClaim.Claimed c = claim(r, offers[1], true);
        // The device gets the parameters of its open, reserved target included (the reference dropped it: B7).
        assertThat(c.open().reservedTarget()).isEqualTo(new MessageTarget.Reserved(1, 1, 2));
        r.expectDevice(dev(offers[1], DeviceRequest.CLOSE));
        finish(r);
        assertThat(r.cc(offers[1])).isEqualTo(Outcome.OK);
        assertThat(r.drain())
                .containsExactly(new ServerHarness.Sent(
                        new MessageTarget.Reserved(1, 6, 3), new ChannelMessage.CloseReservedChannelResponse(1)));
    }

    @Test
    void shouldAnswerReservedCloseTheDeviceFinishedBeforeTheSave() {
        final ServerHarness h = connected(CONFIG, 1, ProtocolVersion.WIN10, 0);
        final byte[] blob = savedWhileClosingReserved(h);

        final OfferId[] offers = new OfferId[2];
        final ServerHarness r = freshWithOffers(CONFIG, offers, 1);
        restore(r, blob);
        final ChannelClaim.Claimed c = claim(r, offers[1], false);
        assertThat(c.open()).isNull();
        assertThat(r.device()).as("nothing to re-send: the close is done").isEmpty();
        assertThat(r.drain())
                .containsExactly(new ServerHarness.Sent(
                        new MessageTarget.Reserved(1, 6, 3), new ChannelMessage.CloseReservedChannelResponse(1)));
        finish(r);
    }

    // ---- B9: server-allocated monitor pages are saved, not an assertion
    // ----------------------------------------------

    @Test
    void shouldSaveAndReissueServerAllocatedMonitorPages() {
        final ServerHarness h = new ServerHarness(CONFIG);
        h.offer(1);
        h.sendOk(GuestMessages.initiateContact(
                ProtocolVersion.COPPER.code(),
                0,
                GuestMessages.targetInfo(2, 0, FeatureFlags.SERVER_SPECIFIED_MONITOR_PAGES),
                0,
                0));
        final MonitorPages server = MonitorPages.server(0x456f000L, 0x654f000L);
        assertThat(h.answerRelay(new ModifyConnectionResult.Supported(ConnectionState.SUCCESSFUL, 0x40, server)))
                .isEqualTo(Outcome.OK);
        h.drain();
        final byte[] blob = h.server.save();

        final OfferId[] offers = new OfferId[2];
        final ServerHarness r = freshWithOffers(CONFIG, offers, 1);
        restore(r, blob);
        assertThat(r.server.inspect().connection().monitorPages()).isEqualTo(server);
        assertThat(r.fx.hostMonitorPages)
                .as("the host re-establishes the pages the guest knows")
                .isEqualTo(server);
        assertThat(r.fx.relay).as("nothing is owed to the relay").isEmpty();
    }

    // ---- B14: a reserved open that failed while disconnected -------------------------------------------------------

    @Test
    void shouldSaveChannelWhoseReservedOpenFailedWhileDisconnected() {
        final ServerHarness h = connected(CONFIG, 1, ProtocolVersion.WIN10, 0);
        h.sendOk(GuestMessages.simpleGpadl(1, 10));
        h.gc(off(1), 10, 0);
        h.sendOk(GuestMessages.openReservedChannel(1, 1, 2, 10, 0));
        h.sendOk(GuestMessages.unload());
        h.ack();
        h.drain();
        h.device();
        // The device fails the reserved open after the client left: the channel is released, its GPADL torn down.
        assertThat(h.oc(off(1), NtStatus.UNSUCCESSFUL)).isEqualTo(Outcome.OK);
        h.expectDevice(dev(off(1), new DeviceRequest.TeardownGpadl(10, false)));
        final byte[] blob = h.server.save();

        final OfferId[] offers = new OfferId[2];
        final ServerHarness r = freshWithOffers(CONFIG, offers, 1);
        restore(r, blob);
        assertThat(r.server.inspect().gpadls())
                .singleElement()
                .satisfies(g -> assertThat(g.state()).isEqualTo(GpadlState.TEARING_DOWN));
        final ChannelClaim.Claimed c = claim(r, offers[1], false);
        assertThat(c.gpadls()).extracting(RestoredGpadl::state).containsExactly(GpadlState.TEARING_DOWN);
        r.expectDevice(dev(offers[1], new DeviceRequest.TeardownGpadl(10, true)));
        finish(r);
        assertThat(r.gt(offers[1], 10)).isEqualTo(Outcome.OK);
        assertThat(r.server.inspect().gpadls()).isEmpty();
    }

    // ---- claims
    // --------------------------------------------------------------------------------------------------------

    @Test
    void shouldSendOpenResultWhenTheDeviceFinishedTheOpenBeforeTheSave() {
        final ServerHarness h = connected(CONFIG, 1, ProtocolVersion.WIN10, 0);
        h.sendOk(GuestMessages.openChannel(1, 42, 10, 0, 0));
        final DeviceRequest.Open sent = (DeviceRequest.Open) h.device().get(0).request();
        final byte[] blob = h.server.save();

        final OfferId[] offers = new OfferId[2];
        final ServerHarness r = freshWithOffers(CONFIG, offers, 1);
        restore(r, blob);
        final ChannelClaim.Claimed c = claim(r, offers[1], true);
        assertThat(c.open()).isEqualTo(sent.params());
        r.expectMessages(new ChannelMessage.OpenResult(1, 42, NtStatus.SUCCESS));
        assertThat(r.server.inspect().channelById(1).state()).isEqualTo(ChannelState.OPEN);
    }

    @Test
    void shouldResendTheSameOpenWhenTheDeviceHadNotFinishedIt() {
        final ServerHarness h = connected(CONFIG, 1, ProtocolVersion.WIN10, 0);
        h.sendOk(GuestMessages.openChannel(1, 42, 10, 0, 0));
        final DeviceRequest.Open sent = (DeviceRequest.Open) h.device().get(0).request();
        final byte[] blob = h.server.save();

        final OfferId[] offers = new OfferId[2];
        final ServerHarness r = freshWithOffers(CONFIG, offers, 1);
        restore(r, blob);
        claim(r, offers[1], false);
        r.expectDevice(dev(offers[1], sent));
        finish(r);
        assertThat(r.oc(offers[1], 0)).isEqualTo(Outcome.OK);
        r.expectMessages(new ChannelMessage.OpenResult(1, 42, NtStatus.SUCCESS));
    }

    @Test
    void shouldRefuseClaimsThatContradictTheSavedState() {
        final ServerHarness h = connected(CONFIG, 2, ProtocolVersion.WIN10, 0);
        h.sendOk(GuestMessages.openChannel(1, 1, 10, 0, 0));
        h.oc(off(1), 0);
        h.drain();
        final byte[] blob = h.server.save();

        final OfferId[] offers = new OfferId[4];
        final ServerHarness r = freshWithOffers(CONFIG, offers, 2);
        offers[3] = r.offer(3);
        restore(r, blob);
        final ServerSnapshot before = r.server.inspect();
        assertThat(r.server.restoreChannel(offers[1], false).errorKind())
                .isEqualTo(RestoreErrorKind.MISMATCHED_OPEN_STATE);
        assertThat(r.server.restoreChannel(offers[2], true).errorKind())
                .isEqualTo(RestoreErrorKind.MISMATCHED_OPEN_STATE);
        assertThat(r.server.restoreChannel(offers[3], true).errorKind()).isEqualTo(RestoreErrorKind.MISSING_CHANNEL);
        assertThat(r.server.restoreChannel(new OfferId(99), false).errorKind())
                .isEqualTo(RestoreErrorKind.UNKNOWN_OFFER);
        assertThat(r.server.inspect()).as("refused claims change nothing").isEqualTo(before);
        claim(r, offers[1], true);
        assertThat(r.server.restoreChannel(offers[1], true).errorKind()).isEqualTo(RestoreErrorKind.ALREADY_RESTORED);
        assertThat(r.server.restoreChannel(offers[3], false).isClaimed()).isTrue();
    }

    @Test
    void shouldRefuseGuestMessagesUntilTheRestoreFinished() {
        final ServerHarness h = connected(CONFIG, 1, ProtocolVersion.WIN10, 0);
        final byte[] blob = h.server.save();
        final OfferId[] offers = new OfferId[2];
        final ServerHarness r = freshWithOffers(CONFIG, offers, 1);
        restore(r, blob);
        assertThat(r.send(GuestMessages.openChannel(1, 1, 10, 0, 0)).errorKind())
                .isEqualTo(ErrorKind.BUSY);
        claim(r, offers[1], false);
        finish(r);
        r.sendOk(GuestMessages.openChannel(1, 1, 10, 0, 0));
        assertThat(r.device()).hasSize(1);
    }

    // ---- revokeUnclaimedChannels
    // --------------------------------------------------------------------------------------

    @Test
    void shouldRescindChannelsNoDeviceClaimedAndReofferTheDevicesThatCameBack() {
        final ServerHarness h = connected(CONFIG, 3, ProtocolVersion.WIN10, 0);
        h.sendOk(GuestMessages.simpleGpadl(2, 20));
        h.gc(off(2), 20, 0);
        h.drain();
        final byte[] blob = h.server.save();

        // Device 1 restores; device 2 is offered but cannot restore; device 3 is gone.
        final OfferId[] offers = new OfferId[3];
        final ServerHarness r = freshWithOffers(CONFIG, offers, 2);
        final RestoreResult.Restored restored = restore(r, blob);
        assertThat(restored.channels()).isEqualTo(3);
        assertThat(restored.awaitingOffer()).isEqualTo(1);
        claim(r, offers[1], false);
        finish(r);
        assertThat(r.messages())
                .containsExactly(new ChannelMessage.RescindChannelOffer(2), new ChannelMessage.RescindChannelOffer(3));
        assertThat(r.server.inspect().channelById(2).state()).isEqualTo(ChannelState.REOFFERED);
        // The accepted GPADL stays until the guest releases the channel; then device 2's fresh offer goes out.
        r.sendOk(GuestMessages.relIdReleased(2));
        assertThat(r.messages()).containsExactly(ServerHarness.offerMessage(2, 2));
        r.sendOk(GuestMessages.relIdReleased(3));
        r.expectNoMessages();
        assertThat(r.server.inspect().channels()).hasSize(2);
    }

    @Test
    void shouldOfferDeviceThatAppearedDuringServicingOnlyToAnEnumeratedConnection() {
        final ServerHarness h = connected(CONFIG, 2, ProtocolVersion.COPPER, 0);
        final byte[] enumerated = h.server.save();
        final ServerHarness n = new ServerHarness(CONFIG);
        n.offer(1);
        n.offer(2);
        n.connect(ProtocolVersion.COPPER, 0);
        final byte[] notEnumerated = n.server.save();

        final OfferId[] offers = new OfferId[4];
        final ServerHarness r = freshWithOffers(CONFIG, offers, 3);
        restore(r, enumerated);
        claim(r, offers[1], false);
        claim(r, offers[2], false);
        r.expectNoMessages();
        finish(r);
        assertThat(r.messages()).containsExactly(ServerHarness.offerMessage(3, 3));

        final OfferId[] offers2 = new OfferId[4];
        final ServerHarness r2 = freshWithOffers(CONFIG, offers2, 3);
        restore(r2, notEnumerated);
        claim(r2, offers2[1], false);
        claim(r2, offers2[2], false);
        finish(r2);
        r2.expectNoMessages();
        assertThat(r2.requestOffers())
                .extracting(ChannelMessage.OfferChannel::channelId)
                .containsExactly(1, 2, 3);
    }

    // ---- what the restore re-issues
    // ------------------------------------------------------------------------------------

    @Test
    void shouldReissueTheConnectRequestOfAConnectionSavedWhileConnecting() {
        final ServerHarness h = new ServerHarness(CONFIG);
        h.offer(1);
        h.sendOk(GuestMessages.initiateContact2(
                ProtocolVersion.WIN10.code(), 0, 0, ServerHarness.P2C, ServerHarness.C2P, Guid.ZERO));
        final ModifyConnectionRequest connect = h.nextRelay();
        final byte[] blob = h.server.save();

        final OfferId[] offers = new OfferId[2];
        final ServerHarness r = freshWithOffers(CONFIG, offers, 1);
        restore(r, blob);
        assertThat(r.nextRelay()).isEqualTo(connect);
        claim(r, offers[1], false);
        finish(r);
        assertThat(r.ack()).isEqualTo(Outcome.OK);
        assertThat(r.messages())
                .singleElement()
                .isInstanceOfSatisfying(
                        ChannelMessage.VersionResponse.class,
                        v -> assertThat(v.versionSupported()).isEqualTo(1));
    }

    @Test
    void shouldAnswerModifyConnectionThatWasInFlightAtTheSave() {
        final ServerHarness h = connected(CONFIG, 1, ProtocolVersion.COPPER, FeatureFlags.MODIFY_CONNECTION);
        h.sendOk(GuestMessages.modifyConnection(0x123f000L, 0x321f000L));
        h.nextRelay();
        final byte[] blob = h.server.save();

        final OfferId[] offers = new OfferId[2];
        final ServerHarness r = freshWithOffers(CONFIG, offers, 1);
        restore(r, blob);
        claim(r, offers[1], false);
        finish(r);
        final ModifyConnectionRequest again = r.nextRelay();
        assertThat(again.version()).isNull();
        assertThat(again.monitorPages()).isEqualTo(new Update.Set<>(MonitorPages.guest(0x123f000L, 0x321f000L)));
        assertThat(r.answerRelay(new ModifyConnectionResult.Modified(ConnectionState.SUCCESSFUL)))
                .isEqualTo(Outcome.OK);
        r.expectMessages(new ChannelMessage.ModifyConnectionResponse(ConnectionState.SUCCESSFUL));
    }

    @Test
    void shouldKeepOutstandingHvsocketRequestsAcrossServicing() {
        final ServerHarness h = connected(CONFIG, 1, ProtocolVersion.WIN10_RS5, 0);
        final Guid endpoint = Guid.ofData1(0xE1);
        final Guid service = Guid.ofData1(0x5E);
        h.sendOk(GuestMessages.tlConnectRequest(endpoint, service));
        assertThat(h.fx.hvsock).hasSize(1);
        final byte[] blob = h.server.save();

        final OfferId[] offers = new OfferId[2];
        final ServerHarness r = freshWithOffers(CONFIG, offers, 1);
        restore(r, blob);
        assertThat(r.fx.hvsock).as("re-issued to this process's handler").containsExactlyElementsOf(h.fx.hvsock);
        claim(r, offers[1], false);
        finish(r);
        assertThat(r.hvsockResult(new HvsockConnectResult(service, endpoint, false)))
                .isEqualTo(Outcome.OK);
        r.expectMessages(new ChannelMessage.TlConnectResult(endpoint, service, NtStatus.CONNECTION_REFUSED));
    }

    @Test
    void shouldKeepQueuedMessagesInOrderAcrossServicing() {
        final ServerHarness h = connected(CONFIG, 3, ProtocolVersion.COPPER, 0);
        h.pend = true;
        h.sendOk(GuestMessages.openReservedChannel(2, 4, 2, 20, 0));
        h.sendOk(GuestMessages.simpleGpadl(1, 10));
        h.sendOk(GuestMessages.openChannel(3, 1, 30, 0, 0));
        // The answers queue: a targeted OPEN_CHANNEL_RESULT, then GPADL_CREATED and OPEN_CHANNEL_RESULT in order.
        h.oc(off(2), 0);
        h.gc(off(1), 10, 0);
        h.oc(off(3), 0);
        final int queued = h.server.queuedMessages();
        assertThat(queued).isEqualTo(3);
        final byte[] blob = h.server.save();

        final OfferId[] offers = new OfferId[4];
        final ServerHarness r = freshWithOffers(CONFIG, offers, 3);
        r.pend = true;
        final RestoreResult.Restored restored = restore(r, blob);
        assertThat(restored.messages()).isEqualTo(queued);
        assertThat(r.server.inspect().outgoing()).isEqualTo(h.server.inspect().outgoing());
        claim(r, offers[1], false);
        claim(r, offers[2], true);
        claim(r, offers[3], true);
        finish(r);
        r.pend = false;
        h.pend = false;
        assertThat(r.drain()).isEqualTo(h.drain());
    }
}
