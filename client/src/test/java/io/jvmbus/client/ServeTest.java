package io.jvmbus.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.host.control.ConfigFile;
import io.jvmbus.host.session.MappedFileRam;
import io.jvmbus.host.session.SessionEnvironment;
import io.jvmbus.host.transport.HostServer;
import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage.OfferChannel;
import io.jvmbus.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against a real {@code jvmbus serve} ({@link HostServer} in this JVM, on a temporary Unix socket): the
 * client plays VMM and guest over the host transport, with its RAM file mapped by the server, and the server's own
 * echo device on the channels.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServeTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private HostServer server;
    private GuestRam ram;
    private SocketGuestTransport transport;
    private GuestClient client;

    private void start(final ProtocolVersion max, final GuestOptions options) throws IOException {
        final SessionEnvironment env = new SessionEnvironment(
                ConfigFile.EMPTY,
                MappedFileRam::map,
                ServerConfig.builder().maxVersion(max).build());
        server = HostServer.start(new HostServer.Options(dir.resolve("serve.sock"), null, env, 4));
        ram = GuestRam.create(dir.resolve("guest.ram"), 4096, false);
        transport = SocketGuestTransport.connect(server.socketPath(), ram, 2, "client-test", TIMEOUT);
        client = new GuestClient(transport, ram, options);
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (transport != null) {
            transport.close();
        }
        if (server != null) {
            server.close();
        }
        if (ram != null) {
            ram.close();
        }
    }

    private void offerEcho(final String name, final int n) {
        final String result = transport.control("{\"op\":\"offer\",\"name\":\"" + name + "\",\"device\":\"echo\","
                + "\"interface\":\"" + Guid.ofData1(0x1000 + n) + "\",\"instance\":\"" + Guid.ofData1(0x2000 + n)
                + "\"}");
        assertThat(result).contains("\"ok\":true");
    }

    private static void assertEcho(final GuestChannel.Packet back, final long transactionId, final byte[] sent) {
        assertThat(back.transactionId()).isEqualTo(transactionId);
        assertThat(back.payload()).hasSize((sent.length + 7) & ~7);
        assertThat(Arrays.copyOf(back.payload(), sent.length)).isEqualTo(sent);
    }

    @Test
    void shouldConnectLikeLinuxAndMoveDataThroughTheServersEchoDevice() throws IOException {
        start(ProtocolVersion.COPPER, GuestOptions.linux());
        offerEcho("echo0", 0);

        final GuestClient.Connection c = client.connect(TIMEOUT);
        final List<OfferChannel> offers = client.requestOffers(TIMEOUT);
        final GuestChannel ch = client.open(offers.getFirst(), OpenOptions.rings(2, 2), TIMEOUT);

        assertThat(c.version()).isEqualTo(ProtocolVersion.IRON);
        assertThat(c.attempts()).hasSize(1);
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        long bytes = 0;
        for (int i = 0; i < 300; i++) {
            final byte[] p = new byte[random.nextInt(2000)];
            random.nextBytes(p);
            ch.send(i, false, p, TIMEOUT);
            assertEcho(ch.receive(TIMEOUT), i, p);
            bytes += p.length;
        }
        assertThat(bytes)
                .as("seed %d: the 4 KiB rings wrapped many times", seed)
                .isGreaterThan(40L * 4096);

        client.close(ch, TIMEOUT);
        client.unload(TIMEOUT);
        assertThat(client.phase()).isEqualTo(GuestClient.Phase.DISCONNECTED);
        assertThat(client.protocolErrors()).isEmpty();
        assertThat(transport.errors()).isEmpty();
    }

    @Test
    void shouldFallBackToTheVersionServeIsCappedAt() throws IOException {
        start(ProtocolVersion.WIN10, GuestOptions.linux());

        final GuestClient.Connection c = client.connect(TIMEOUT);

        assertThat(c.version()).isEqualTo(ProtocolVersion.WIN10);
        assertThat(c.attempts())
                .extracting(GuestClient.Attempt::outcome)
                .containsExactly("refused", "refused", "refused", "refused", "refused", "accepted");
    }

    @Test
    void shouldConnectAsCopperClientAndUseGuestChosenSignalParameters() throws IOException {
        start(ProtocolVersion.COPPER, GuestOptions.copper(Guid.ofData1(0x77)));
        offerEcho("echo0", 0);

        final GuestClient.Connection c = client.connect(TIMEOUT);
        final GuestChannel ch = client.open(client.requestOffers(TIMEOUT).getFirst(), OpenOptions.defaults(), TIMEOUT);

        assertThat(c.version()).isEqualTo(ProtocolVersion.COPPER);
        assertThat(FeatureFlags.has(c.featureFlags(), FeatureFlags.GUEST_SPECIFIED_SIGNAL_PARAMETERS))
                .isTrue();
        for (int i = 0; i < 40; i++) {
            final byte[] p = new byte[i * 50];
            Arrays.fill(p, (byte) i);
            ch.send(i, false, p, TIMEOUT);
            assertEcho(ch.receive(TIMEOUT), i, p);
        }
        assertThat(ch.hostSignals()).isPositive();
    }

    @Test
    void shouldModifyAnOpenChannelAndGetTheResponseAtIron() throws IOException {
        start(ProtocolVersion.COPPER, GuestOptions.linux());
        offerEcho("echo0", 0);
        client.connect(TIMEOUT);
        final GuestChannel ch = client.open(client.requestOffers(TIMEOUT).getFirst(), OpenOptions.defaults(), TIMEOUT);

        assertThat(client.modify(ch, 1, TIMEOUT)).hasValue(0);

        ch.send(7, false, new byte[] {7}, TIMEOUT);
        assertEcho(ch.receive(TIMEOUT), 7, new byte[] {7});
    }

    @Test
    void shouldCreateAndTearDownAMultiBodyGpadl() throws IOException {
        start(ProtocolVersion.COPPER, GuestOptions.linux());
        offerEcho("echo0", 0);
        client.connect(TIMEOUT);
        final int relid = client.requestOffers(TIMEOUT).getFirst().channelId();

        final GuestGpadl g = client.createGpadl(relid, ram.allocate(256), TIMEOUT);
        client.teardownGpadl(g, TIMEOUT);

        assertThat(g.gpadlId()).isEqualTo(GuestOptions.LINUX_FIRST_GPADL_ID);
        assertThat(transport.errors()).isEmpty();
    }

    @Test
    void shouldOpenAndCloseAReservedChannelAsUefiThenUnload() throws IOException {
        start(ProtocolVersion.COPPER, GuestOptions.uefi());
        offerEcho("echo0", 0);
        client.connect(TIMEOUT);
        final OfferChannel offer = client.requestOffers(TIMEOUT).getFirst();

        final GuestChannel ch = client.openReserved(offer, OpenOptions.rings(2, 2), 0, 2, TIMEOUT);
        client.closeReserved(ch, 0, 2, TIMEOUT);
        client.unload(TIMEOUT);

        assertThat(ch.isClosed()).isTrue();
        assertThat(client.phase()).isEqualTo(GuestClient.Phase.DISCONNECTED);
        assertThat(client.protocolErrors()).isEmpty();
    }

    @Test
    void shouldReceiveEveryOfferWhenTheVmmAnswersSlotBusy() throws IOException {
        start(ProtocolVersion.COPPER, GuestOptions.linux());
        for (int i = 0; i < 4; i++) {
            offerEcho("echo" + i, i);
        }
        client.connect(TIMEOUT);
        transport.refuseNextDeliveries(3);

        final List<OfferChannel> offers = client.requestOffers(TIMEOUT);

        assertThat(transport.busyAnswers()).isEqualTo(3);
        assertThat(offers).hasSize(4);
        assertThat(offers)
                .extracting(o -> o.interfaceId().data1())
                .containsExactlyInAnyOrder(0x1000, 0x1001, 0x1002, 0x1003);
    }

    @Test
    void shouldReceiveEveryOfferInOrderWhenHalfTheDeliveriesAreRefusedAtRandom() throws IOException {
        start(ProtocolVersion.COPPER, GuestOptions.linux());
        for (int i = 0; i < 8; i++) {
            offerEcho("echo" + i, i);
        }
        final long seed = System.nanoTime();
        transport.refuseDeliveriesAtRandom(500, seed);

        client.connect(TIMEOUT);
        final List<OfferChannel> offers = client.requestOffers(TIMEOUT);

        assertThat(offers).as("seed %d", seed).hasSize(8);
        // VERSION_RESPONSE, 8 offers, ALL_OFFERS_DELIVERED: each accepted once, whatever was refused before
        assertThat(transport.deliveriesAccepted()).as("seed %d", seed).isEqualTo(10);
        // INITIATE_CONTACT and REQUEST_OFFERS, plus the guest's retries of posts answered 19 while deliveries waited
        assertThat(transport.postsAnswered()).isEqualTo(2 + client.postRetries());
        assertThat(client.protocolErrors()).isEmpty();
    }

    @Test
    void shouldRefuseABusyRatioOutsidePerMille() throws IOException {
        start(ProtocolVersion.COPPER, GuestOptions.linux());

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> transport.refuseDeliveriesAtRandom(1001, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("perMille=1001");
    }

    @Test
    void shouldReleaseARescindedOpenChannel() throws IOException {
        start(ProtocolVersion.COPPER, GuestOptions.linux());
        offerEcho("echo0", 0);
        client.connect(TIMEOUT);
        final OfferChannel offer = client.requestOffers(TIMEOUT).getFirst();
        final GuestChannel ch = client.open(offer, OpenOptions.defaults(), TIMEOUT);

        assertThat(transport.control("{\"op\":\"revoke\",\"name\":\"echo0\"}")).contains("\"ok\":true");
        client.awaitReleased(offer.channelId(), TIMEOUT);

        assertThat(ch.isClosed()).isTrue();
        assertThat(client.offers()).isEmpty();
        final String state = transport.control("{\"op\":\"inspect\"}");
        assertThat(state).contains("\"ok\":true");
    }
}
