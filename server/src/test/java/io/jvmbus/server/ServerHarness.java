package io.jvmbus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.protocol.Blob;
import io.jvmbus.protocol.ConnectionIds;
import io.jvmbus.protocol.ConnectionState;
import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage;
import io.jvmbus.testkit.wire.GuestMessages;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives a {@link ChannelServer} synchronously the way the reference tests do (§9.0): guest messages as raw bytes
 * from {@link GuestMessages}, a {@link RecordingEffects}, an ACK helper for connection requests, and delivery of every
 * deliverable message into a list the test inspects. The notation follows the reference: OFF(n), CONNECT(V, F), RO,
 * OPEN(k), GPADL(k, g), OC/CC/GC/GT/MC completions.
 */
final class ServerHarness {

    /** Monitor pages the reference CONNECT uses. */
    static final long C2P = 0x123f000L;

    static final long P2C = 0x321f000L;

    /** A delivered message and its target. */
    record Sent(MessageTarget target, ChannelMessage message) {}

    final RecordingEffects fx = new RecordingEffects();
    final ChannelServer server;
    /**
     * When true, nothing is delivered (the reference harness's "pend" switch); otherwise every input is followed by
     * delivering whatever became deliverable, as the reference notifier's successful {@code send_message} does.
     */
    boolean pend;

    private final List<Sent> log = new ArrayList<>();

    ServerHarness() {
        this(ServerConfig.defaults());
    }

    ServerHarness(final ServerConfig config) {
        server = new ChannelServer(config, fx);
    }

    // ---- guest side
    // --------------------------------------------------------------------------------------------------

    Outcome send(final byte[] message) {
        return pump(server.handleMessage(message, ConnectionIds.MESSAGE_CONNECTION_ID, 0, false));
    }

    Outcome sendTrusted(final byte[] message) {
        return pump(server.handleMessage(message, ConnectionIds.MESSAGE_CONNECTION_ID, 0, true));
    }

    Outcome sendMulticlient(final byte[] message) {
        return pump(server.handleMessage(message, ConnectionIds.MULTICLIENT_MESSAGE_CONNECTION_ID, 0, false));
    }

    /** Delivers whatever is deliverable into the log (unless pended), then returns {@code outcome}. */
    <T> T pump(final T outcome) {
        if (!pend) {
            OutgoingMessage m;
            while ((m = server.peekOutgoing()) != null) {
                log.add(new Sent(m.target(), m.message()));
                assertThat(server.outgoingDelivered(m.sequence())).isEqualTo(Outcome.OK);
            }
        }
        return outcome;
    }

    // ---- device completions (OC, CC, GC, GT, MC) and host actions, each followed by delivery ------------------------

    Outcome oc(final OfferId offer, final int status) {
        return pump(server.completeOpen(offer, status));
    }

    Outcome cc(final OfferId offer) {
        return pump(server.completeClose(offer));
    }

    Outcome gc(final OfferId offer, final int gpadlId, final int status) {
        return pump(server.completeGpadlCreate(offer, gpadlId, status));
    }

    Outcome gt(final OfferId offer, final int gpadlId) {
        return pump(server.completeGpadlTeardown(offer, gpadlId));
    }

    Outcome mc(final OfferId offer, final int status) {
        return pump(server.completeModifyChannel(offer, status));
    }

    Outcome revoke(final OfferId offer) {
        return pump(server.revokeChannel(offer));
    }

    Outcome reset() {
        return pump(server.reset());
    }

    Outcome hvsockResult(final HvsockConnectResult result) {
        return pump(server.completeHvsockConnect(result));
    }

    /** Sends and asserts the core processed the message. */
    void sendOk(final byte[] message) {
        assertThat(send(message)).isEqualTo(Outcome.OK);
    }

    /** Delivers every deliverable message and returns everything delivered since the last call, in order. */
    List<Sent> drain() {
        pump(null);
        final List<Sent> out = List.copyOf(log);
        log.clear();
        return out;
    }

    /** Delivers everything and returns just the messages. */
    List<ChannelMessage> messages() {
        return drain().stream().map(Sent::message).toList();
    }

    /** Delivers everything and asserts it is exactly {@code expected}, all to the default target. */
    void expectMessages(final ChannelMessage... expected) {
        final List<Sent> sent = drain();
        assertThat(sent).extracting(Sent::message).containsExactly(expected);
        assertThat(sent).extracting(Sent::target).allMatch(MessageTarget::isDefault);
    }

    void expectNoMessages() {
        assertThat(drain()).isEmpty();
    }

    // ---- host side
    // ---------------------------------------------------------------------------------------------------

    /** The next connection request, which must exist. */
    ModifyConnectionRequest nextRelay() {
        assertThat(fx.relay).as("pending connection requests").isNotEmpty();
        return fx.relay.peekFirst();
    }

    /** The reference ACK: Supported(SUCCESSFUL, 0x6F, none) for a connect, Modified(SUCCESSFUL) otherwise. */
    Outcome ack() {
        final ModifyConnectionRequest r = fx.relay.pollFirst();
        assertThat(r).as("a pending connection request to ACK").isNotNull();
        return pump(server.completeModifyConnection(
                r.isConnect()
                        ? new ModifyConnectionResult.Supported(
                                ConnectionState.SUCCESSFUL, FeatureFlags.ALWAYS_SUPPORTED, null)
                        : new ModifyConnectionResult.Modified(ConnectionState.SUCCESSFUL)));
    }

    /** Answers the next connection request with {@code response}. */
    Outcome answerRelay(final ModifyConnectionResult response) {
        assertThat(fx.relay.pollFirst()).as("a pending connection request").isNotNull();
        return pump(server.completeModifyConnection(response));
    }

    /** Offers OFF(n): interface and instance G(n), everything else default. */
    OfferId offer(final int n) {
        return offer(OfferParams.builder(Guid.ofData1(n), Guid.ofData1(n)).build());
    }

    OfferId offer(final OfferParams params) {
        final OfferResult r = pump(server.offerChannel(params));
        assertThat(r).isInstanceOf(OfferResult.Offered.class);
        return r.orThrow();
    }

    /**
     * CONNECT(V, F): the 56-byte INITIATE_CONTACT with the reference pages, ACKed; returns the VERSION_RESPONSE.
     */
    ChannelMessage.VersionResponse connect(final ProtocolVersion version, final int flags) {
        sendOk(GuestMessages.initiateContact2(
                version.code(), 0, GuestMessages.targetInfo(2, 0, flags), P2C, C2P, Guid.ZERO));
        assertThat(nextRelay().version()).isNotNull();
        assertThat(ack()).isEqualTo(Outcome.OK);
        final List<ChannelMessage> m = messages();
        assertThat(m).hasSize(1).first().isInstanceOf(ChannelMessage.VersionResponse.class);
        final ChannelMessage.VersionResponse vr = (ChannelMessage.VersionResponse) m.get(0);
        assertThat(vr.versionSupported()).isEqualTo(1);
        return vr;
    }

    /** CONNECT then REQUEST_OFFERS; returns the offers (without ALL_OFFERS_DELIVERED, which it checks). */
    List<ChannelMessage.OfferChannel> connectAndRequestOffers(final ProtocolVersion version, final int flags) {
        connect(version, flags);
        return requestOffers();
    }

    List<ChannelMessage.OfferChannel> requestOffers() {
        sendOk(GuestMessages.requestOffers());
        final List<ChannelMessage> m = messages();
        assertThat(m).last().isEqualTo(new ChannelMessage.AllOffersDelivered());
        return m.subList(0, m.size() - 1).stream()
                .map(ChannelMessage.OfferChannel.class::cast)
                .toList();
    }

    /** The device requests recorded since the last call. */
    List<RecordingEffects.Device> device() {
        return fx.takeDevice();
    }

    /** Asserts the device requests since the last call are exactly these. */
    void expectDevice(final RecordingEffects.Device... expected) {
        assertThat(device()).containsExactly(expected);
    }

    static RecordingEffects.Device dev(final OfferId offer, final DeviceRequest request) {
        return new RecordingEffects.Device(offer, request);
    }

    /** The reference OFFER(n→k) message for OFF(n) offered as channel k without MNF. */
    static ChannelMessage.OfferChannel offerMessage(final int n, final int channelId) {
        return offerMessage(Guid.ofData1(n), Guid.ofData1(n), channelId);
    }

    static ChannelMessage.OfferChannel offerMessage(final Guid iface, final Guid instance, final int channelId) {
        return new ChannelMessage.OfferChannel(
                iface, instance, 0, 0, Blob.zeros(120), 0, 0, channelId, 0xFF, false, true, 0x2000 + channelId);
    }
}
