package io.jvmbus.server;

import static io.jvmbus.server.ServerHarness.C2P;
import static io.jvmbus.server.ServerHarness.P2C;
import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.protocol.ConnectionState;
import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage.OfferChannel;
import io.jvmbus.protocol.message.ChannelMessage.Unload;
import io.jvmbus.protocol.message.ChannelMessage.UnloadComplete;
import io.jvmbus.protocol.message.ChannelMessage.VersionResponse;
import io.jvmbus.protocol.message.ChannelMessage.VersionResponseForm;
import io.jvmbus.testkit.wire.GuestMessages;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Version negotiation: reference tests #2..#8, #40, #42, #45..#48, and B17. */
class VersionNegotiationTest {

    private static final Guid E6 = Guid.parse("e6e6e6e6-e6e6-e6e6-e6e6-e6e6e6e6e6e6");

    private static VersionResponse v1(final int supported, final int state, final int selected) {
        return new VersionResponse(VersionResponseForm.V1, supported, state, selected, 0, 0, 0);
    }

    private static VersionResponse v2(final int selected, final int features) {
        return new VersionResponse(VersionResponseForm.V2, 1, 0, selected, features, 0, 0);
    }

    @Test
    void shouldAnswerUnsupportedVersionWithoutAskingTheHost() {
        final ServerHarness h = new ServerHarness();
        assertThat(h.send(GuestMessages.initiateContact2(0xFFFFFFFF, 1, 0, 0, 0, E6))
                        .errorKind())
                .isEqualTo(ErrorKind.UNSUPPORTED_VERSION);
        assertThat(h.fx.relayLog).isEmpty();
        h.expectMessages(VersionResponse.unsupported());
        assertThat(h.server.inspect().connection().phase()).isEqualTo(ConnectionPhase.DISCONNECTED);
        assertThat(h.fx.hostTargetVp).isNull();
        assertThat(h.fx.hostInterruptPage).isNull();
    }

    @Test
    void shouldNegotiateWin10AndMoveMessagesToTheRequestedVp() {
        final ServerHarness h = new ServerHarness();
        h.sendOk(GuestMessages.initiateContact2(ProtocolVersion.WIN10.code(), 1, 0, 0, 0, E6));
        assertThat(h.server.inspect().connection().phase()).isEqualTo(ConnectionPhase.CONNECTING);
        assertThat(h.nextRelay())
                .isEqualTo(new ModifyConnectionRequest(
                        new VersionInfo(ProtocolVersion.WIN10, 0),
                        new Update.Reset<>(),
                        new Update.Reset<>(),
                        OptionalInt.of(1),
                        true));
        h.expectNoMessages();
        assertThat(h.ack()).isEqualTo(Outcome.OK);
        h.expectMessages(v1(1, 0, 0x40000));
        assertThat(h.server.inspect().connection().phase()).isEqualTo(ConnectionPhase.CONNECTED);
        assertThat(h.fx.hostTargetVp).isEqualTo(1);
        assertThat(h.server.defaultTargetVp()).isEqualTo(1);
    }

    @Test
    void shouldAnswerMulticlientRequestForAnotherSintOnThatSint() {
        final ServerHarness h = new ServerHarness();
        final long info = GuestMessages.targetInfo(3, 0, 0);
        assertThat(h.sendMulticlient(GuestMessages.initiateContact(ProtocolVersion.WIN10_RS3_1.code(), 0, info, 0, 0))
                        .errorKind())
                .isEqualTo(ErrorKind.UNSUPPORTED_TARGET_SINT);
        assertThat(h.fx.relayLog).isEmpty();
        assertThat(h.drain())
                .containsExactly(new ServerHarness.Sent(new MessageTarget.Custom(0, 3), VersionResponse.unsupported()));
        assertThat(h.server.inspect().connection().phase()).isEqualTo(ConnectionPhase.DISCONNECTED);

        // The same target info on the normal port: the SINT is ignored.
        h.sendOk(GuestMessages.initiateContact2(ProtocolVersion.WIN10_RS3_1.code(), 1, info, 0, 0, Guid.ZERO));
        assertThat(h.nextRelay())
                .isEqualTo(new ModifyConnectionRequest(
                        new VersionInfo(ProtocolVersion.WIN10_RS3_1, 0),
                        new Update.Reset<>(),
                        new Update.Reset<>(),
                        OptionalInt.of(1),
                        true));
        h.ack();
        h.expectMessages(v1(1, 0, 1));
    }

    @Test
    void shouldForwardMulticlientRequestForAnotherVtl() {
        final ServerHarness h = new ServerHarness();
        final long info = GuestMessages.targetInfo(2, 2, 0);
        h.fx.forwarded.clear();
        assertThat(h.sendMulticlient(GuestMessages.initiateContact(ProtocolVersion.WIN10_RS4.code(), 0, info, 0, 0)))
                .isEqualTo(Outcome.OK);
        assertThat(h.fx.forwarded).hasSize(1);
        assertThat(h.fx.forwarded.get(0).targetVtl()).isEqualTo(2);
        h.expectNoMessages();
        assertThat(h.server.inspect().connection().phase()).isEqualTo(ConnectionPhase.DISCONNECTED);

        h.sendOk(GuestMessages.initiateContact(ProtocolVersion.WIN10_RS4.code(), 0, info, 0, 0));
        h.ack();
        h.expectMessages(v1(1, 0, 1));
        assertThat(h.fx.forwarded).hasSize(1);
    }

    @Test
    void shouldNegotiateOnlySupportedFeatureFlagsAndUnloadBetween() {
        final ServerHarness h = new ServerHarness();
        final int[][] cases = {{0, 0}, {0x1, 0x1}, {0x1 | 0xF0000000, 0x1}};
        for (final int[] c : cases) {
            h.sendOk(GuestMessages.initiateContact2(
                    ProtocolVersion.COPPER.code(), 0, GuestMessages.targetInfo(2, 0, c[0]), 0, 0, Guid.ZERO));
            assertThat(h.nextRelay().version()).isEqualTo(new VersionInfo(ProtocolVersion.COPPER, c[1]));
            h.ack();
            h.expectMessages(v2(1, c[1]));
            h.sendOk(GuestMessages.unload());
            assertThat(h.nextRelay()).isEqualTo(ModifyConnectionRequest.disconnect());
            h.expectNoMessages();
            h.ack();
            h.expectMessages(new UnloadComplete());
        }
        h.sendOk(GuestMessages.initiateContact2(
                ProtocolVersion.COPPER.code(), 0, GuestMessages.targetInfo(2, 0, 0x8), 0, 0, E6));
        h.ack();
        h.expectMessages(v2(1, 0x8));
        assertThat(h.server.inspect().connection().clientId()).isEqualTo(E6);
        assertThat(h.fx.unloadCompletes).isEqualTo(3);
    }

    @Test
    void shouldAnswerClientIdRequestedInTheShortFormWithoutTheClientIdFeature() {
        // B17: the reference returns an error and sends no VERSION_RESPONSE, so the guest waits forever.
        final ServerHarness h = new ServerHarness();
        h.sendOk(GuestMessages.initiateContact(
                ProtocolVersion.COPPER.code(), 0, GuestMessages.targetInfo(2, 0, 0x9), 0, 0));
        assertThat(h.nextRelay().version()).isEqualTo(new VersionInfo(ProtocolVersion.COPPER, 0x1));
        h.ack();
        h.expectMessages(v2(1, 0x1));
        assertThat(h.server.inspect().connection().clientId()).isEqualTo(Guid.ZERO);
        assertThat(h.fx.notes).extracting(ServerError::kind).contains(ErrorKind.NOTE);
    }

    @Test
    void shouldNegotiateGpaPinningOnlyWhenTheServerSupportsIt() {
        final ServerHarness plain = new ServerHarness();
        assertThat(plain.connect(ProtocolVersion.COPPER, FeatureFlags.GPA_PINNING))
                .isEqualTo(v2(1, 0));

        final ServerHarness pinning =
                new ServerHarness(ServerConfig.builder().gpaPinning(true).build());
        // The ACK reports 0x6F (no 0x80): GPA pinning is handled locally and survives.
        assertThat(pinning.connect(ProtocolVersion.COPPER, FeatureFlags.GPA_PINNING))
                .isEqualTo(v2(1, FeatureFlags.GPA_PINNING));
    }

    @ParameterizedTest
    @EnumSource(
            value = ProtocolVersion.class,
            names = {"V1", "WIN7", "WIN8"})
    void shouldUseTheInterruptPageOnlyBeforeWin8(final ProtocolVersion version) {
        final ServerHarness h = new ServerHarness();
        h.sendOk(GuestMessages.initiateContact2(version.code(), 1, 1234, 0, 0, Guid.ZERO));
        final ModifyConnectionRequest r = h.nextRelay();
        if (version == ProtocolVersion.WIN8) {
            assertThat(r.interruptPage()).isEqualTo(new Update.Reset<Long>());
        } else {
            assertThat(r.interruptPage()).isEqualTo(new Update.Set<>(1234L));
        }
        // The target VP is honoured only from Win8.1.
        assertThat(r.targetMessageVp()).isEqualTo(OptionalInt.of(0));
        h.ack();
        h.expectMessages(v1(1, 0, version.code()));
        assertThat(h.server.inspect().connection().interruptPage())
                .isEqualTo(version == ProtocolVersion.WIN8 ? 0 : 1234);
    }

    @ParameterizedTest
    @EnumSource(ProtocolVersion.class)
    void shouldAcceptEveryVersionWithTheRightSelectedField(final ProtocolVersion version) {
        final ServerHarness h = new ServerHarness();
        final VersionResponse vr = h.connect(version, 0);
        final int expectedSelected = version.atLeast(ProtocolVersion.WIN10_RS3_1) ? 1 : version.code();
        assertThat(vr.selectedVersionOrConnectionId()).isEqualTo(expectedSelected);
        assertThat(vr.form())
                .isEqualTo(version.atLeast(ProtocolVersion.COPPER) ? VersionResponseForm.V2 : VersionResponseForm.V1);
        assertThat(h.server.inspect().connection().version()).isEqualTo(new VersionInfo(version, 0));
    }

    @Test
    void shouldRefuseVersionsAboveTheConfiguredMaximum() {
        final ServerHarness h = new ServerHarness(
                ServerConfig.builder().maxVersion(ProtocolVersion.IRON).build());
        assertThat(h.send(GuestMessages.initiateContact2(
                                ProtocolVersion.COPPER.code(), 0, GuestMessages.targetInfo(2, 0, 0), 0, 0, Guid.ZERO))
                        .errorKind())
                .isEqualTo(ErrorKind.UNSUPPORTED_VERSION);
        h.expectMessages(VersionResponse.unsupported());
        assertThat(h.connect(ProtocolVersion.IRON, 0)).isEqualTo(v1(1, 0, 1));
    }

    @Test
    void shouldFailTheConnectionWhenExactlyOneMonitorPageIsZero() {
        final ServerHarness h = new ServerHarness();
        assertThat(h.send(GuestMessages.initiateContact2(
                                ProtocolVersion.COPPER.code(),
                                0,
                                GuestMessages.targetInfo(2, 0, 0x1),
                                P2C,
                                0,
                                Guid.ZERO))
                        .errorKind())
                .isEqualTo(ErrorKind.INVALID_MONITOR_PAGES);
        assertThat(h.fx.relayLog).isEmpty();
        h.expectMessages(
                new VersionResponse(VersionResponseForm.V2, 1, ConnectionState.FAILED_UNKNOWN_FAILURE, 1, 0x1, 0, 0));
        // Below Win8 a failure cannot be expressed: the answer is "unsupported".
        assertThat(h.send(GuestMessages.initiateContact(ProtocolVersion.WIN7.code(), 0, 0, P2C, 0))
                        .errorKind())
                .isEqualTo(ErrorKind.INVALID_MONITOR_PAGES);
        h.expectMessages(VersionResponse.unsupported());
    }

    @Test
    void shouldReportHostFailureStateInTheVersionResponse() {
        final ServerHarness h = new ServerHarness();
        h.sendOk(GuestMessages.initiateContact2(
                ProtocolVersion.COPPER.code(), 0, GuestMessages.targetInfo(2, 0, 0x9), 0, 0, E6));
        assertThat(h.answerRelay(new ModifyConnectionResult.Supported(ConnectionState.FAILED_LOW_RESOURCES, 0x1, null)))
                .isEqualTo(Outcome.OK);
        // 0x1 from the relay, 0x8 handled locally.
        h.expectMessages(
                new VersionResponse(VersionResponseForm.V2, 1, ConnectionState.FAILED_LOW_RESOURCES, 1, 0x9, 0, 0));
        assertThat(h.server.inspect().connection().phase()).isEqualTo(ConnectionPhase.DISCONNECTED);

        h.sendOk(GuestMessages.initiateContact2(
                ProtocolVersion.COPPER.code(), 0, GuestMessages.targetInfo(2, 0, 0), 0, 0, E6));
        h.answerRelay(new ModifyConnectionResult.Unsupported());
        h.expectMessages(VersionResponse.unsupported());
        assertThat(h.server.inspect().connection().phase()).isEqualTo(ConnectionPhase.DISCONNECTED);
    }

    @Test
    void shouldUseServerAllocatedMonitorPagesWhenTheHostSuppliesThem() {
        for (final boolean guestPages : new boolean[] {true, false}) {
            final ServerHarness h = new ServerHarness();
            final OfferId mnf = h.offer(OfferParams.builder(Guid.ofData1(1), Guid.ofData1(1))
                    .mnf(new MnfUsage.Enabled(100_000))
                    .build());
            assertThat(mnf).isNotNull();
            h.sendOk(GuestMessages.initiateContact(
                    ProtocolVersion.COPPER.code(),
                    0,
                    GuestMessages.targetInfo(2, 0, FeatureFlags.SERVER_SPECIFIED_MONITOR_PAGES),
                    guestPages ? P2C : 0,
                    guestPages ? C2P : 0));
            assertThat(h.nextRelay().monitorPages())
                    .isEqualTo(guestPages ? new Update.Set<>(MonitorPages.guest(P2C, C2P)) : new Update.Reset<>());
            h.answerRelay(new ModifyConnectionResult.Supported(
                    ConnectionState.SUCCESSFUL,
                    FeatureFlags.SERVER_SPECIFIED_MONITOR_PAGES,
                    MonitorPages.server(0x456f000L, 0x654f000L)));
            h.expectMessages(new VersionResponse(
                    VersionResponseForm.V3,
                    1,
                    0,
                    1,
                    FeatureFlags.SERVER_SPECIFIED_MONITOR_PAGES,
                    0x456f000L,
                    0x654f000L));
            assertThat(h.server.inspect().connection().monitorPages())
                    .isEqualTo(MonitorPages.server(0x456f000L, 0x654f000L));
            final List<OfferChannel> offers = h.requestOffers();
            assertThat(offers).hasSize(1);
            assertThat(offers.get(0).monitorId()).isZero();
            assertThat(offers.get(0).monitorAllocated()).isTrue();
        }
    }

    @Test
    void shouldOfferMonitorIdsOnlyWithMonitorPages() {
        final OfferParams off1 =
                OfferParams.builder(Guid.ofData1(1), Guid.ofData1(1)).build();
        final OfferParams mnf2 = OfferParams.builder(Guid.ofData1(2), Guid.ofData1(2))
                .mnf(new MnfUsage.Enabled(100_000))
                .build();
        final OfferParams relayed3 = OfferParams.builder(Guid.ofData1(3), Guid.ofData1(3))
                .mnf(new MnfUsage.Relayed(5))
                .build();
        // (a) no guest pages
        final ServerHarness a = new ServerHarness();
        a.offer(off1);
        a.offer(mnf2);
        a.offer(relayed3);
        a.sendOk(GuestMessages.initiateContact2(
                ProtocolVersion.COPPER.code(), 0, GuestMessages.targetInfo(2, 0, 0), 0, 0, Guid.ZERO));
        a.ack();
        a.messages();
        assertThat(a.requestOffers()).extracting(OfferChannel::monitorId).containsExactly(0xFF, 0xFF, 0xFF);
        // (b) the server requires server-allocated pages: guest pages are ignored
        final ServerHarness b = new ServerHarness(
                ServerConfig.builder().requireServerAllocatedMonitorPages(true).build());
        b.offer(off1);
        b.offer(mnf2);
        b.offer(relayed3);
        b.sendOk(GuestMessages.initiateContact2(
                ProtocolVersion.COPPER.code(), 0, GuestMessages.targetInfo(2, 0, 0), P2C, C2P, Guid.ZERO));
        assertThat(b.nextRelay().monitorPages()).isEqualTo(new Update.Reset<MonitorPages>());
        b.ack();
        b.messages();
        assertThat(b.requestOffers()).extracting(OfferChannel::monitorAllocated).containsExactly(false, false, false);
        // (c) guest pages
        final ServerHarness c = new ServerHarness();
        c.offer(off1);
        c.offer(mnf2);
        c.offer(relayed3);
        final List<OfferChannel> offers = c.connectAndRequestOffers(ProtocolVersion.COPPER, 0);
        assertThat(offers).extracting(OfferChannel::monitorId).containsExactly(0xFF, 0, 5);
        assertThat(offers).extracting(OfferChannel::monitorAllocated).containsExactly(false, true, true);
        assertThat(c.server.inspect().monitorIdsInUse()).containsExactly(0);
    }

    @Test
    void shouldOfferConfidentialFlagsOnlyOnATrustedConnection() {
        final ServerHarness h = new ServerHarness();
        h.sendTrusted(GuestMessages.initiateContact2(
                ProtocolVersion.COPPER.code(), 0, GuestMessages.targetInfo(2, 0, 0x10), P2C, C2P, Guid.ZERO));
        h.ack();
        h.expectMessages(v2(1, 0x10));
        h.offer(1);
        h.offer(OfferParams.builder(Guid.ofData1(2), Guid.ofData1(2)).flags(0x2).build());
        h.offer(OfferParams.builder(Guid.ofData1(3), Guid.ofData1(3)).flags(0x6).build());
        assertThat(h.send(GuestMessages.requestOffers()).errorKind()).isEqualTo(ErrorKind.UNTRUSTED_MESSAGE);
        h.expectNoMessages();
        assertThat(h.sendTrusted(GuestMessages.requestOffers())).isEqualTo(Outcome.OK);
        assertThat(h.messages())
                .filteredOn(OfferChannel.class::isInstance)
                .extracting(m -> ((OfferChannel) m).flags())
                .containsExactly(0, 0x2, 0x6);
    }

    @Test
    void shouldStripConfidentialFlagsWhenNotNegotiated() {
        final ServerHarness h = new ServerHarness();
        h.sendTrusted(GuestMessages.initiateContact2(
                ProtocolVersion.COPPER.code(), 0, GuestMessages.targetInfo(2, 0, 0), P2C, C2P, Guid.ZERO));
        h.ack();
        h.messages();
        h.offer(OfferParams.builder(Guid.ofData1(1), Guid.ofData1(1)).flags(0x1).build());
        h.offer(OfferParams.builder(Guid.ofData1(2), Guid.ofData1(2))
                .flags(0x10 | 0x2 | 0x4)
                .build());
        h.sendTrusted(GuestMessages.requestOffers());
        assertThat(h.messages())
                .filteredOn(OfferChannel.class::isInstance)
                .extracting(m -> ((OfferChannel) m).flags())
                .containsExactly(0x1, 0x10);
    }

    @Test
    void shouldRequirePinningFlagOnlyWhenNegotiated() {
        for (final boolean negotiate : new boolean[] {false, true}) {
            final ServerHarness h =
                    new ServerHarness(ServerConfig.builder().gpaPinning(true).build());
            h.connect(ProtocolVersion.COPPER, negotiate ? FeatureFlags.GPA_PINNING : 0);
            h.offer(OfferParams.builder(Guid.ofData1(1), Guid.ofData1(1))
                    .flags(0x8)
                    .build());
            assertThat(h.requestOffers()).extracting(OfferChannel::flags).containsExactly(negotiate ? 0x8 : 0);
        }
    }

    @Test
    void shouldNotOfferConfidentialChannelsToAnUntrustedConnection() {
        final ServerHarness h = new ServerHarness();
        assertThat(h.connect(ProtocolVersion.COPPER, 0x10)).isEqualTo(v2(1, 0));
        assertThat(h.server.inspect().connection().trusted()).isFalse();
    }

    @Test
    void shouldReconnectWithoutUnloadCompleteWhenContactedWhileConnected() {
        final ServerHarness h = new ServerHarness();
        h.offer(1);
        h.offer(2);
        h.offer(3);
        h.connectAndRequestOffers(ProtocolVersion.WIN10, 0);
        h.sendOk(GuestMessages.initiateContact(
                ProtocolVersion.WIN10.code(), 0, GuestMessages.targetInfo(2, 0, 0), P2C, C2P));
        assertThat(h.nextRelay()).isEqualTo(ModifyConnectionRequest.disconnect());
        h.ack();
        h.expectNoMessages();
        assertThat(h.nextRelay())
                .isEqualTo(new ModifyConnectionRequest(
                        new VersionInfo(ProtocolVersion.WIN10, 0),
                        new Update.Set<>(MonitorPages.guest(P2C, C2P)),
                        new Update.Reset<>(),
                        OptionalInt.of(0),
                        true));
        h.ack();
        h.expectMessages(v1(1, 0, ProtocolVersion.WIN10.code()));
        assertThat(h.fx.unloadCompletes).isZero();
        assertThat(h.messages()).doesNotHaveAnyElementsOfTypes(Unload.class);
    }
}
