package io.jvmbus.client;

import static io.jvmbus.client.GuestFixture.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmbus.protocol.ConnectionIds;
import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.server.ServerConfig;
import io.jvmbus.testkit.wire.GuestMessages;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConnectTest {

    private static final List<ProtocolVersion> LINUX_ORDER = List.of(ProtocolVersion.linuxFallbackOrder());

    @ParameterizedTest
    @EnumSource(
            value = ProtocolVersion.class,
            names = {"IRON", "WIN10_RS5", "WIN10_RS4", "WIN10_RS3_1", "WIN10_RS3_0", "WIN10", "WIN8_1", "WIN8"})
    void shouldFallBackLikeLinuxToTheVersionTheCoreIsCappedAt(final ProtocolVersion cap) {
        try (GuestFixture f = GuestFixture.linuxAgainstCoreCappedAt(cap)) {
            final GuestClient.Connection c = f.client.connect(TIMEOUT);

            assertThat(c.version()).isEqualTo(cap);
            assertThat(c.featureFlags()).isZero();
            final int index = LINUX_ORDER.indexOf(cap);
            assertThat(c.attempts())
                    .extracting(GuestClient.Attempt::version)
                    .containsExactlyElementsOf(LINUX_ORDER.subList(0, index + 1));
            assertThat(c.attempts().subList(0, index)).allMatch(a -> a.outcome().equals("refused"));
            // Linux's wire bytes for each attempt: 40 bytes, msg_sint 2 from 5.0 on (to connection id 4), the
            // interrupt page below 5.0 (to connection id 1).
            final List<InProcessHost.Posted> posted = f.host.posted();
            assertThat(posted).hasSize(index + 1);
            for (int i = 0; i <= index; i++) {
                final ProtocolVersion v = LINUX_ORDER.get(i);
                final long[] monitor = f.client.monitorPageGpas();
                assertThat(posted.get(i).bytes())
                        .as("INITIATE_CONTACT for %s", v)
                        .isEqualTo(GuestMessages.linuxInitiateContact(
                                v.code(), 0, f.client.interruptPageGpa(), monitor[0], monitor[1]));
                assertThat(posted.get(i).connectionId())
                        .isEqualTo(
                                v.atLeast(ProtocolVersion.WIN10_RS3_1)
                                        ? ConnectionIds.MULTICLIENT_MESSAGE_CONNECTION_ID
                                        : ConnectionIds.MESSAGE_CONNECTION_ID);
            }
            assertThat(f.client.phase()).isEqualTo(GuestClient.Phase.CONNECTED);
            assertThat(f.client.protocolErrors()).isEmpty();
        }
    }

    @Test
    void shouldPostLaterMessagesToTheConnectionIdFromVersionResponse() {
        final ServerConfig config =
                ServerConfig.builder().messageConnectionId(0x21).build();
        try (GuestFixture f = new GuestFixture(config, GuestOptions.linux())) {
            final GuestClient.Connection c = f.client.connect(TIMEOUT);
            f.client.requestOffers(TIMEOUT);

            assertThat(c.version()).isEqualTo(ProtocolVersion.IRON);
            assertThat(c.messageConnectionId()).isEqualTo(0x21);
            final List<InProcessHost.Posted> posted = f.host.posted();
            assertThat(posted.getLast().bytes()).isEqualTo(GuestMessages.requestOffers());
            assertThat(posted.getLast().connectionId()).isEqualTo(0x21);
        }
    }

    @Test
    void shouldConnectAsCopperClientWithFeatureFlagsAndClientId() {
        final Guid clientId = Guid.parse("6e5a8c1d-2b3f-4a70-9d11-0c2b7e4f8a55");
        try (GuestFixture f = new GuestFixture(ServerConfig.defaults(), GuestOptions.copper(clientId))) {
            final GuestClient.Connection c = f.client.connect(TIMEOUT);

            assertThat(c.version()).isEqualTo(ProtocolVersion.COPPER);
            assertThat(c.featureFlags() & GuestOptions.COPPER_CLIENT_FLAGS)
                    .as("negotiated flags %s", FeatureFlags.describe(c.featureFlags()))
                    .isEqualTo(c.featureFlags());
            assertThat(FeatureFlags.has(c.featureFlags(), FeatureFlags.GUEST_SPECIFIED_SIGNAL_PARAMETERS))
                    .isTrue();
            final long[] monitor = f.client.monitorPageGpas();
            assertThat(f.host.posted().getFirst().bytes())
                    .isEqualTo(GuestMessages.initiateContact2(
                            0x00060000, 0, GuestMessages.targetInfo(2, 0, 0x2F), monitor[0], monitor[1], clientId));
        }
    }

    @Test
    void shouldFallBackFromCopperToIronWithoutFeatureFlags() {
        try (GuestFixture f = new GuestFixture(
                ServerConfig.builder().maxVersion(ProtocolVersion.IRON).build(),
                GuestOptions.copper(Guid.ofData1(7)))) {
            final GuestClient.Connection c = f.client.connect(TIMEOUT);

            assertThat(c.version()).isEqualTo(ProtocolVersion.IRON);
            assertThat(c.featureFlags()).isZero();
            assertThat(c.attempts()).extracting(GuestClient.Attempt::outcome).containsExactly("refused", "accepted");
            // the Iron attempt uses the 40-byte form
            assertThat(f.host.posted().get(1).bytes()).hasSize(40);
        }
    }

    @Test
    void shouldConnectAsUefiFirmwareAtWindows10OnConnectionId1() {
        try (GuestFixture f = new GuestFixture(ServerConfig.defaults(), GuestOptions.uefi())) {
            final GuestClient.Connection c = f.client.connect(TIMEOUT);

            assertThat(c.version()).isEqualTo(ProtocolVersion.WIN10);
            assertThat(c.messageConnectionId()).isEqualTo(ConnectionIds.MESSAGE_CONNECTION_ID);
            assertThat(f.host.posted())
                    .singleElement()
                    .extracting(InProcessHost.Posted::connectionId)
                    .isEqualTo(1);
        }
    }

    @Test
    void shouldFailWithRefusedWhenTheCoreSupportsNoVersionLinuxTries() {
        try (GuestFixture f = GuestFixture.linuxAgainstCoreCappedAt(ProtocolVersion.WIN7)) {
            assertThatThrownBy(() -> f.client.connect(TIMEOUT))
                    .isInstanceOfSatisfying(
                            GuestException.class, e -> assertThat(e.kind()).isEqualTo(GuestException.Kind.REFUSED));
            assertThat(f.host.posted()).hasSize(LINUX_ORDER.size());
            assertThat(f.client.phase()).isEqualTo(GuestClient.Phase.DISCONNECTED);
        }
    }

    @Test
    void shouldMoveToTheNextVersionWhenConnectionId4IsInvalid() {
        // A core at VTL 2 does not listen on connection id 4: the 5.x attempts fail with status 18, as on an old host.
        final ServerConfig config = ServerConfig.builder().vtl(2).build();
        try (GuestFixture f = new GuestFixture(config, GuestOptions.linux())) {
            final GuestClient.Connection c = f.client.connect(TIMEOUT);

            assertThat(c.version()).isEqualTo(ProtocolVersion.WIN10_RS3_0);
            assertThat(c.attempts().subList(0, 4)).allMatch(a -> a.outcome().equals("post INVALID_CONNECTION_ID"));
        }
    }

    @Test
    void shouldRequestOffersAndSeeEveryOfferedChannel() {
        try (GuestFixture f = GuestFixture.linux()) {
            final var offers = f.connectWithDevices(3);

            assertThat(offers).hasSize(3);
            assertThat(offers)
                    .extracting(o -> o.interfaceId().data1())
                    .containsExactlyInAnyOrder(0x1000, 0x1001, 0x1002);
            assertThat(offers).allMatch(o -> o.channelId() > 0 && o.channelId() < 2048);
            assertThat(offers).allMatch(o -> o.connectionId() == ConnectionIds.offerConnectionId(o.channelId(), 0));
        }
    }

    @Test
    void shouldSeeAHotAddedOfferAfterRequestingOffers() {
        try (GuestFixture f = GuestFixture.linux()) {
            f.connectWithDevices(1);
            f.offer(5);

            final var o = f.client.awaitOffer(Guid.ofData1(0x1005), Guid.ofData1(0x2005), TIMEOUT);
            assertThat(f.client.offers()).hasSize(2).contains(o);
        }
    }
}
