package io.jvmbus.server;

import static io.jvmbus.server.ServerHarness.dev;
import static io.jvmbus.server.ServerHarness.offerMessage;
import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.protocol.Blob;
import io.jvmbus.protocol.ConnectionIds;
import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.NtStatus;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage;
import io.jvmbus.protocol.message.ChannelMessage.AllOffersDelivered;
import io.jvmbus.protocol.message.ChannelMessage.ModifyChannelResponse;
import io.jvmbus.protocol.message.ChannelMessage.OfferChannel;
import io.jvmbus.protocol.message.ChannelMessage.OpenResult;
import io.jvmbus.protocol.message.ChannelMessage.RescindChannelOffer;
import io.jvmbus.protocol.message.ChannelMessage.VersionResponse;
import io.jvmbus.testkit.wire.GuestMessages;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Offers, ids, open/close, release, revoke and re-offer: reference tests #9..#13, #17, #41, #43, #44, T5..T7, T9. */
class ChannelLifecycleTest {

    private static Guid randomGuid(final Random r) {
        return new Guid(r.nextInt(), r.nextInt(0x10000), r.nextInt(0x10000), r.nextLong());
    }

    @ParameterizedTest
    @CsvSource({"WIN10_RS5, 0", "IRON, 0", "COPPER, 0", "COPPER, 1", "COPPER, 2"})
    void shouldRunAChannelThroughItsLifetime(final ProtocolVersion version, final int flags) {
        final Random r = new Random(42);
        final Guid iface = randomGuid(r);
        final Guid instance = randomGuid(r);
        final ServerHarness h = new ServerHarness();
        final OfferId offer = h.offer(OfferParams.builder(iface, instance).build());
        final boolean copper = version == ProtocolVersion.COPPER;
        // vtl 2 in the target info is ignored: the message did not arrive on the multiclient port.
        h.sendOk(GuestMessages.initiateContact(version.code(), 0, GuestMessages.targetInfo(2, 2, flags), 0, 0));
        assertThat(h.nextRelay())
                .isEqualTo(new ModifyConnectionRequest(
                        new VersionInfo(version, flags),
                        new Update.Reset<>(),
                        new Update.Reset<>(),
                        OptionalInt.of(0),
                        true));
        h.ack();
        final VersionResponse vr = (VersionResponse) h.messages().get(0);
        assertThat(vr.selectedVersionOrConnectionId()).isEqualTo(1);
        assertThat(vr.supportedFeatures()).isEqualTo(flags);
        h.sendOk(GuestMessages.requestOffers());
        h.expectMessages(offerMessage(iface, instance, 1), new AllOffersDelivered());

        final byte[] user = new byte[120];
        user[0] = 0x5A;
        final boolean open2 = copper && flags != 0;
        h.sendOk(
                open2
                        ? GuestMessages.openChannel2(1, 1, 1, 3, 2, user, 0x2002, 2, 0x1 | 0xABC)
                        : GuestMessages.openChannel(1, 1, 1, 3, 2, user));
        final List<RecordingEffects.Device> opens = h.device();
        assertThat(opens).hasSize(1);
        final DeviceRequest.Open open = (DeviceRequest.Open) opens.get(0).request();
        assertThat(opens.get(0).offer()).isEqualTo(offer);
        final OpenParams p = open.params();
        assertThat(p.ringBufferGpadlId()).isEqualTo(1);
        assertThat(p.downstreamRingBufferPageOffset()).isEqualTo(2);
        assertThat(p.targetVp()).isEqualTo(3);
        assertThat(p.userData()).isEqualTo(Blob.of(user));
        final boolean guestSignal = copper && (flags & FeatureFlags.GUEST_SPECIFIED_SIGNAL_PARAMETERS) != 0;
        assertThat(p.eventFlag()).isEqualTo(guestSignal ? 2 : 1);
        assertThat(p.connectionId()).isEqualTo(guestSignal ? 0x2002 : 0x2001);
        assertThat(p.monitorInfo()).isNull();
        assertThat(p.flags()).isEqualTo(copper && (flags & FeatureFlags.CHANNEL_INTERRUPT_REDIRECTION) != 0 ? 1 : 0);
        assertThat(open.version()).isEqualTo(new VersionInfo(version, flags));

        assertThat(h.oc(offer, 0)).isEqualTo(Outcome.OK);
        h.expectMessages(new OpenResult(1, 1, 0));
        h.sendOk(GuestMessages.modifyChannel(1, 4));
        h.expectDevice(dev(offer, new DeviceRequest.Modify(4)));
        assertThat(h.mc(offer, 0)).isEqualTo(Outcome.OK);
        if (version.atLeast(ProtocolVersion.IRON)) {
            h.expectMessages(new ModifyChannelResponse(1, 0));
        } else {
            h.expectNoMessages();
        }
        assertThat(h.server.inspect().channelById(1).openRequest().targetVp()).isEqualTo(4);
        assertThat(h.revoke(offer)).isEqualTo(Outcome.OK);
        h.expectMessages(new RescindChannelOffer(1));
        assertThat(h.send(GuestMessages.closeChannel(1)).errorKind()).isEqualTo(ErrorKind.CHANNEL_REVOKED);
        h.sendOk(GuestMessages.relIdReleased(1));
        assertThat(h.server.inspect().channels()).isEmpty();
        h.expectNoMessages();
        assertThat(h.device()).isEmpty();
    }

    @Test
    void shouldRequireTheLongOpenFormOnceSignalFeaturesAreNegotiated() {
        final ServerHarness h = new ServerHarness();
        h.offer(1);
        h.connectAndRequestOffers(ProtocolVersion.COPPER, FeatureFlags.GUEST_SPECIFIED_SIGNAL_PARAMETERS);
        assertThat(h.send(GuestMessages.openChannel(1, 1, 1, 0, 1)).errorKind()).isEqualTo(ErrorKind.DECODE_FAILED);
        assertThat(h.device()).isEmpty();
    }

    @Test
    void shouldHotAddOffersOnlyAfterRequestOffers() {
        final ServerHarness h = new ServerHarness();
        final OfferId o1 = h.offer(1);
        h.sendOk(GuestMessages.initiateContact2(ProtocolVersion.WIN10.code(), 0, 0, 0, 0, Guid.ZERO));
        final OfferId o2 = h.offer(2);
        h.ack();
        assertThat(h.messages()).hasSize(1);
        final OfferId o3 = h.offer(3);
        h.expectNoMessages();
        h.sendOk(GuestMessages.requestOffers());
        h.expectMessages(offerMessage(1, 1), offerMessage(2, 2), offerMessage(3, 3), new AllOffersDelivered());
        final OfferId o4 = h.offer(4);
        h.expectMessages(offerMessage(4, 4));
        final OfferId[] offers = {o1, o2, o3, o4};
        for (int k = 1; k <= 4; k++) {
            h.sendOk(GuestMessages.openChannel(k, k, k, 0, 1));
        }
        assertThat(h.device()).extracting(RecordingEffects.Device::offer).containsExactly(offers);
        for (final OfferId o : offers) {
            h.oc(o, 0);
        }
        assertThat(h.messages()).hasSize(4).allMatch(m -> m instanceof OpenResult r && r.status() == 0);
        assertThat(h.reset()).isEqualTo(Outcome.OK);
        assertThat(h.device())
                .containsExactly(
                        dev(o1, DeviceRequest.CLOSE),
                        dev(o2, DeviceRequest.CLOSE),
                        dev(o3, DeviceRequest.CLOSE),
                        dev(o4, DeviceRequest.CLOSE));
        for (int i = 0; i < 4; i++) {
            assertThat(h.fx.relay).isEmpty();
            h.cc(offers[i]);
        }
        assertThat(h.nextRelay()).isEqualTo(ModifyConnectionRequest.disconnect());
        assertThat(h.fx.resetCompletes).isZero();
        h.ack();
        assertThat(h.fx.resetCompletes).isEqualTo(1);
        h.expectNoMessages();
        assertThat(h.server.inspect().channels()).allMatch(c -> c.state() == ChannelState.CLIENT_RELEASED);
    }

    @Test
    void shouldAssignChannelIdsByInterfaceThenOrderThenInstance() {
        final ServerHarness h = new ServerHarness();
        h.offer(3);
        h.offer(10);
        h.offer(5);
        h.offer(17);
        h.offer(ordered(5, 6, 2));
        h.offer(ordered(5, 8, 1));
        h.offer(ordered(5, 1, OfferParams.NO_ORDER));
        final List<OfferChannel> offers = h.connectAndRequestOffers(ProtocolVersion.WIN10, 0);
        assertThat(offers)
                .extracting(o -> o.interfaceId().data1() + "," + o.instanceId().data1() + "->" + o.channelId())
                .containsExactly("3,3->1", "5,8->2", "5,6->3", "5,1->4", "5,5->5", "10,10->6", "17,17->7");
        assertThat(offers)
                .extracting(OfferChannel::connectionId)
                .containsExactly(0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007);
    }

    @Test
    void shouldAssignChannelIdsByAbsoluteOrder() {
        final ServerHarness h = new ServerHarness(
                ServerConfig.builder().absoluteChannelOrder(true).build());
        h.offer(ordered(3, 3, 1));
        h.offer(ordered(5, 5, 3));
        h.offer(ordered(17, 17, 4));
        h.offer(ordered(5, 1, OfferParams.NO_ORDER));
        h.offer(ordered(5, 6, 5));
        h.offer(ordered(10, 10, 2));
        h.offer(ordered(5, 8, 6));
        assertThat(h.connectAndRequestOffers(ProtocolVersion.WIN10, 0))
                .extracting(o -> o.interfaceId().data1() + "," + o.instanceId().data1() + "->" + o.channelId())
                .containsExactly("3,3->1", "10,10->2", "5,5->3", "17,17->4", "5,6->5", "5,8->6", "5,1->7");
    }

    @Test
    void shouldOrderSubchannelsAfterTheirPrimaryWhateverTheOfferOrder() {
        // B11: the reference's key has no subchannel index and its sort is unstable.
        final List<List<Integer>> runs = new ArrayList<>();
        for (final int[] order : new int[][] {{0, 1, 2, 3}, {3, 2, 1, 0}, {2, 0, 3, 1}}) {
            final ServerHarness h = new ServerHarness();
            final OfferParams primary =
                    OfferParams.builder(Guid.ofData1(7), Guid.ofData1(9)).build();
            h.offer(1);
            for (final int index : order) {
                h.offer(primary.subchannel(index));
            }
            final List<OfferChannel> offers = h.connectAndRequestOffers(ProtocolVersion.WIN10, 0);
            runs.add(offers.stream()
                    .map(o -> o.subchannelIndex() * 100 + o.channelId())
                    .toList());
        }
        assertThat(runs).allMatch(r -> r.equals(List.of(1, 2, 103, 204, 305)));
    }

    private static OfferParams ordered(final int iface, final int instance, final long order) {
        return OfferParams.builder(Guid.ofData1(iface), Guid.ofData1(instance))
                .offerOrder(order)
                .build();
    }

    @Test
    void shouldOpenWithInterruptsDisabledWithoutMonitorInfo() {
        final ServerHarness h = new ServerHarness();
        final OfferId o = h.offer(OfferParams.builder(Guid.ofData1(1), Guid.ofData1(1))
                .mnf(new MnfUsage.Enabled(100_000))
                .build());
        h.connectAndRequestOffers(ProtocolVersion.COPPER, 0);
        h.sendOk(GuestMessages.openChannel(1, 1, 1, ConnectionIds.VP_INDEX_DISABLE_INTERRUPT, 0));
        final OpenParams p = ((DeviceRequest.Open) h.device().get(0).request()).params();
        assertThat(p.targetVp()).isEqualTo(ConnectionIds.VP_INDEX_DISABLE_INTERRUPT);
        assertThat(p.monitorInfo()).isNull();
        h.oc(o, NtStatus.UNSUCCESSFUL);
        h.expectMessages(new OpenResult(1, 1, NtStatus.UNSUCCESSFUL));
        h.sendOk(GuestMessages.openChannel(1, 2, 1, 0, 0));
        final OpenParams q = ((DeviceRequest.Open) h.device().get(0).request()).params();
        assertThat(q.monitorInfo()).isEqualTo(new OpenParams.MonitorInfo(0, 100_000));
    }

    @Test
    void shouldReportConfidentialMemoryToTheDeviceOnlyWhenNegotiatedAndOffered() {
        for (final int requested : new int[] {0x10, 0}) {
            for (final boolean trusted : new boolean[] {true, false}) {
                final ServerHarness h = new ServerHarness();
                h.offer(OfferParams.builder(Guid.ofData1(1), Guid.ofData1(1))
                        .flags(0x2)
                        .build());
                h.offer(OfferParams.builder(Guid.ofData1(2), Guid.ofData1(2))
                        .flags(0x6)
                        .build());
                h.offer(OfferParams.builder(Guid.ofData1(3), Guid.ofData1(3))
                        .flags(0x1)
                        .build());
                final byte[] contact = GuestMessages.initiateContact(
                        ProtocolVersion.COPPER.code(), 0, GuestMessages.targetInfo(2, 0, requested), 0, 0);
                assertThat(trusted ? h.sendTrusted(contact) : h.send(contact)).isEqualTo(Outcome.OK);
                h.ack();
                h.messages();
                assertThat(
                                trusted
                                        ? h.sendTrusted(GuestMessages.requestOffers())
                                        : h.send(GuestMessages.requestOffers()))
                        .isEqualTo(Outcome.OK);
                h.messages();
                for (int k = 1; k <= 3; k++) {
                    final byte[] open = GuestMessages.openChannel(k, k, k, 0, 1);
                    assertThat(trusted ? h.sendTrusted(open) : h.send(open)).isEqualTo(Outcome.OK);
                }
                final boolean on = trusted && requested != 0;
                assertThat(h.device())
                        .extracting(d -> ((DeviceRequest.Open) d.request()).params())
                        .extracting(p -> p.confidentialRing() + "/" + p.confidentialExternalMemory())
                        .containsExactly(on + "/false", on + "/" + on, "false/false");
            }
        }
    }

    @Test
    void shouldReopenAfterTheCloseCompletesWhenTheGuestRacesIt() {
        final ServerHarness h = new ServerHarness();
        final OfferId o = h.offer(1);
        h.connectAndRequestOffers(ProtocolVersion.WIN10, 0);
        h.sendOk(GuestMessages.openChannel(1, 1, 1, 0, 1));
        h.oc(o, 0);
        h.sendOk(GuestMessages.closeChannel(1));
        h.sendOk(GuestMessages.openChannel(1, 2, 1, 0, 1));
        assertThat(h.server.inspect().channelById(1).state()).isEqualTo(ChannelState.CLOSING_REOPEN);
        assertThat(h.send(GuestMessages.openChannel(1, 3, 1, 0, 1)).errorKind())
                .isEqualTo(ErrorKind.CHANNEL_ALREADY_OPEN);
        final List<RecordingEffects.Device> d = h.device();
        assertThat(d).extracting(RecordingEffects.Device::request).hasSize(2);
        assertThat(d.get(1).request()).isEqualTo(DeviceRequest.CLOSE);
        h.expectMessages(new OpenResult(1, 1, 0), new OpenResult(1, 3, NtStatus.UNSUCCESSFUL));
        h.cc(o);
        final DeviceRequest.Open reopen = (DeviceRequest.Open) h.device().get(0).request();
        assertThat(reopen.params().openId()).isEqualTo(2);
        h.oc(o, 0);
        h.expectMessages(new OpenResult(1, 2, 0));
        assertThat(h.server.inspect().channelById(1).state()).isEqualTo(ChannelState.OPEN);
    }

    @Test
    void shouldAnswerEveryOutOfStateOpenWithAFailure() {
        final ServerHarness h = new ServerHarness();
        final OfferId o = h.offer(1);
        h.connectAndRequestOffers(ProtocolVersion.WIN10, 0);
        assertThat(h.send(GuestMessages.openChannel(9, 7, 1, 0, 1)).errorKind())
                .isEqualTo(ErrorKind.UNKNOWN_CHANNEL_ID);
        h.expectMessages(new OpenResult(9, 7, NtStatus.UNSUCCESSFUL));
        h.sendOk(GuestMessages.openChannel(1, 1, 1, 0, 1));
        assertThat(h.send(GuestMessages.openChannel(1, 2, 1, 0, 1)).errorKind())
                .isEqualTo(ErrorKind.CHANNEL_ALREADY_OPEN);
        h.expectMessages(new OpenResult(1, 2, NtStatus.UNSUCCESSFUL));
        h.oc(o, 0);
        h.expectMessages(new OpenResult(1, 1, 0));
        assertThat(h.send(GuestMessages.openChannel(1, 3, 1, 0, 1)).errorKind())
                .isEqualTo(ErrorKind.CHANNEL_ALREADY_OPEN);
        h.expectMessages(new OpenResult(1, 3, NtStatus.UNSUCCESSFUL));
        assertThat(h.send(GuestMessages.relIdReleased(1)).errorKind()).isEqualTo(ErrorKind.INVALID_CHANNEL_STATE);
        assertThat(h.send(GuestMessages.closeChannel(2)).errorKind()).isEqualTo(ErrorKind.UNKNOWN_CHANNEL_ID);
        h.sendOk(GuestMessages.closeChannel(1));
        assertThat(h.send(GuestMessages.closeChannel(1)).errorKind()).isEqualTo(ErrorKind.CHANNEL_NOT_OPEN);
        h.expectNoMessages();
    }

    @Test
    void shouldReleaseAClosingChannelAndFreeItsIdAtOnce() {
        final ServerHarness h = new ServerHarness();
        final OfferId o = h.offer(1);
        h.offer(2);
        h.connectAndRequestOffers(ProtocolVersion.WIN10, 0);
        h.sendOk(GuestMessages.simpleGpadl(1, 10));
        h.gc(o, 10, 0);
        h.sendOk(GuestMessages.openChannel(1, 1, 10, 0, 1));
        h.oc(o, 0);
        h.sendOk(GuestMessages.closeChannel(1));
        h.device();
        h.messages();
        h.sendOk(GuestMessages.relIdReleased(1));
        assertThat(h.device()).containsExactly(dev(o, new DeviceRequest.TeardownGpadl(10, false)));
        final ServerSnapshot.ChannelSnapshot c =
                h.server.inspect().channel(new OfferKey(Guid.ofData1(1), Guid.ofData1(1), 0));
        assertThat(c.state()).isEqualTo(ChannelState.CLOSING_CLIENT_RELEASE);
        assertThat(c.channelId()).isZero();
        h.cc(o);
        h.gt(o, 10);
        // The guest released it: no GPADL_TORNDOWN.
        h.expectNoMessages();
        assertThat(h.server
                        .inspect()
                        .channel(new OfferKey(Guid.ofData1(1), Guid.ofData1(1), 0))
                        .state())
                .isEqualTo(ChannelState.CLIENT_RELEASED);
        assertThat(h.server.inspect().gpadls()).isEmpty();
        // A new device takes the lowest free id.
        h.offer(3);
        h.expectMessages(offerMessage(3, 1));
    }

    @Test
    void shouldReofferARevokedChannelWithTheSameIdOnceTheGuestReleasesIt() {
        final ServerHarness h = new ServerHarness();
        final OfferId old = h.offer(1);
        h.connectAndRequestOffers(ProtocolVersion.WIN10, 0);
        h.sendOk(GuestMessages.openChannel(1, 1, 1, 0, 1));
        assertThat(h.device()).extracting(RecordingEffects.Device::offer).containsExactly(old);
        h.revoke(old);
        h.expectMessages(new RescindChannelOffer(1));
        final OfferId fresh = h.offer(1);
        assertThat(fresh).isNotEqualTo(old);
        assertThat(h.server.inspect().channelById(1).state()).isEqualTo(ChannelState.REOFFERED);
        // The old incarnation's late answer reaches nothing.
        assertThat(h.oc(old, 0).errorKind()).isEqualTo(ErrorKind.UNKNOWN_OFFER);
        assertThat(h.send(GuestMessages.openChannel(1, 2, 1, 0, 1)).errorKind()).isEqualTo(ErrorKind.CHANNEL_REVOKED);
        h.expectNoMessages();
        h.sendOk(GuestMessages.relIdReleased(1));
        h.expectMessages(offerMessage(1, 1));
        h.sendOk(GuestMessages.openChannel(1, 3, 1, 0, 1));
        assertThat(h.device()).extracting(RecordingEffects.Device::offer).containsExactly(fresh);
        h.oc(fresh, 0);
        h.expectMessages(new OpenResult(1, 3, 0));
    }

    @Test
    void shouldRemoveARevokedChannelTheGuestNeverSaw() {
        final ServerHarness h = new ServerHarness();
        final OfferId o = h.offer(1);
        assertThat(h.revoke(o)).isEqualTo(Outcome.OK);
        assertThat(h.server.inspect().channels()).isEmpty();
        assertThat(h.revoke(o).errorKind()).isEqualTo(ErrorKind.UNKNOWN_OFFER);
        h.expectNoMessages();
        final OfferId again = h.offer(1);
        h.connectAndRequestOffers(ProtocolVersion.WIN10, 0);
        h.revoke(again);
        assertThat(h.revoke(again).errorKind()).isEqualTo(ErrorKind.ALREADY_REVOKED);
    }

    @Test
    void shouldRescindSubchannelsInTheOrderTheyAreRevoked() {
        final ServerHarness h = new ServerHarness();
        final OfferParams primary =
                OfferParams.builder(Guid.ofData1(7), Guid.ofData1(7)).build();
        final OfferId p = h.offer(primary);
        h.sendOk(GuestMessages.initiateContact(
                ProtocolVersion.COPPER.code(), 0, GuestMessages.targetInfo(2, 0, 0), 0, 0));
        h.ack();
        h.messages();
        h.sendOk(GuestMessages.requestOffers());
        assertThat(h.messages()).hasSize(2);
        final List<OfferId> subs = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            subs.add(h.offer(primary.subchannel(i)));
        }
        assertThat(h.messages())
                .extracting(m -> ((OfferChannel) m).subchannelIndex())
                .containsExactly(1, 2, 3);
        for (final OfferId s : subs) {
            h.revoke(s);
        }
        h.revoke(p);
        h.expectMessages(
                new RescindChannelOffer(2),
                new RescindChannelOffer(3),
                new RescindChannelOffer(4),
                new RescindChannelOffer(1));
    }

    @Test
    void shouldRejectDuplicateOffersAndOffersBeyondTheLimit() {
        final ServerHarness h = new ServerHarness(
                ServerConfig.builder().maxChannels(2).maxQueuedMessages(64).build());
        h.offer(1);
        assertThat(h.server.offerChannel(
                        OfferParams.builder(Guid.ofData1(1), Guid.ofData1(1)).build()))
                .isInstanceOf(OfferResult.Rejected.class);
        h.offer(2);
        final OfferResult third = h.server.offerChannel(
                OfferParams.builder(Guid.ofData1(3), Guid.ofData1(3)).build());
        assertThat(((OfferResult.Rejected) third).error().kind()).isEqualTo(ErrorKind.TOO_MANY_CHANNELS);
    }

    @Test
    void shouldUseTheHighestChannelIdWithAnOffset() {
        // B13: id 2047 is a valid channel id, also on a connection that uses the interrupt page.
        final ServerHarness h = new ServerHarness(ServerConfig.builder()
                .channelIdOffset(2045)
                .maxQueuedMessages(64)
                .build());
        final OfferId a = h.offer(1);
        final OfferId b = h.offer(2);
        assertThat(h.server.offerChannel(
                        OfferParams.builder(Guid.ofData1(3), Guid.ofData1(3)).build()))
                .isInstanceOf(OfferResult.Rejected.class);
        h.sendOk(GuestMessages.initiateContact(ProtocolVersion.WIN7.code(), 0, 0x5000, 0, 0));
        h.ack();
        h.messages();
        h.sendOk(GuestMessages.requestOffers());
        h.expectMessages(offerMessage(1, 2046), offerMessage(2, 2047), new AllOffersDelivered());
        h.sendOk(GuestMessages.openChannel(2047, 2047, 1, 0, 1));
        assertThat(((DeviceRequest.Open) h.device().get(0).request()).params().eventFlag())
                .isEqualTo(2047);
        h.oc(b, 0);
        h.expectMessages(new OpenResult(2047, 2047, 0));
        assertThat(h.send(GuestMessages.openChannel(2048, 1, 1, 0, 1)).errorKind())
                .isEqualTo(ErrorKind.UNKNOWN_CHANNEL_ID);
        h.expectMessages(new OpenResult(2048, 1, NtStatus.UNSUCCESSFUL));
        assertThat(a).isNotNull();
    }

    @Test
    void shouldKeepTheOfferedIdsDeterministicAcrossReconnects() {
        final ServerHarness h = new ServerHarness();
        for (int n = 1; n <= 5; n++) {
            h.offer(n);
        }
        final List<OfferChannel> first = h.connectAndRequestOffers(ProtocolVersion.WIN10, 0);
        h.sendOk(GuestMessages.unload());
        h.ack();
        h.messages();
        final List<OfferChannel> second = h.connectAndRequestOffers(ProtocolVersion.WIN10, 0);
        assertThat(second).isEqualTo(first);
        assertThat(second).extracting(ChannelMessage.OfferChannel::channelId).containsExactly(1, 2, 3, 4, 5);
    }
}
