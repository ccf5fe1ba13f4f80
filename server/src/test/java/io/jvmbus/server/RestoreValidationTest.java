package io.jvmbus.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.server.savedstate.SavedChannel;
import io.jvmbus.server.savedstate.SavedConnectionInfo;
import io.jvmbus.server.savedstate.SavedGpadl;
import io.jvmbus.server.savedstate.SavedHvsockRequest;
import io.jvmbus.server.savedstate.SavedOfferKey;
import io.jvmbus.server.savedstate.SavedQueuedMessage;
import io.jvmbus.server.savedstate.SavedServerState;
import io.jvmbus.server.savedstate.SavedTarget;
import io.jvmbus.server.savedstate.SavedVersionInfo;
import io.jvmbus.testkit.wire.GuestMessages;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every validation failure of a restore is a typed error, and a refused restore leaves the server exactly as it was
 * (its {@code inspect()} and its saved bytes unchanged, and a valid restore still works afterwards).
 */
@Timeout(10)
final class RestoreValidationTest {

    private static final ServerConfig CONFIG = ServerConfig.defaults();

    /** Copper, three channels, GPADL 10 accepted on channel 1, channel 2 open reserved, GPADL 11 in progress. */
    private static SavedServerState richState(final ProtocolVersion version, final int flags) {
        final ServerHarness h = new ServerHarness(CONFIG);
        for (int n = 1; n <= 3; n++) {
            h.offer(n);
        }
        h.connectAndRequestOffers(version, flags);
        h.sendOk(GuestMessages.simpleGpadl(1, 10));
        h.gc(new OfferId(1), 10, 0);
        h.sendOk(GuestMessages.gpadlHeader(1, 11, 32, 2, 1L, 0L));
        h.sendOk(GuestMessages.openReservedChannel(2, 1, 2, 20, 0));
        h.oc(new OfferId(2), 0);
        h.drain();
        return h.server.saveState();
    }

    private static SavedServerState richState() {
        return richState(ProtocolVersion.COPPER, FeatureFlags.CLIENT_ID);
    }

    private static RestoreErrorKind refused(final SavedServerState state) {
        return refused(state, RestoreLimits.defaults(), CONFIG);
    }

    /** Restores into a fresh server with OFF(1..3); asserts it was refused without any change; returns the kind. */
    private static RestoreErrorKind refused(
            final SavedServerState state, final RestoreLimits limits, final ServerConfig config) {
        final ServerHarness r = ServicingHarness.freshWithOffers(config, new OfferId[4], 3);
        final ServerSnapshot before = r.server.inspect();
        final byte[] savedBefore = r.server.save();
        final RestoreResult result = r.server.restoreState(state, limits);
        assertThat(result).isInstanceOf(RestoreResult.Failed.class);
        assertThat(((RestoreResult.Failed) result).error().detail()).isNotBlank();
        assertThat(r.server.inspect()).as("a refused restore changes nothing").isEqualTo(before);
        assertThat(r.server.save()).isEqualTo(savedBefore);
        assertThat(r.fx.relayLog).isEmpty();
        assertThat(r.device()).isEmpty();
        if (config.equals(CONFIG)) {
            // The server is still fresh: the unmodified state restores.
            assertThat(r.server
                            .restoreState(richState(), RestoreLimits.defaults())
                            .isRestored())
                    .isTrue();
        }
        return result.errorKind();
    }

    private static SavedServerState editConnectionInfo(
            final SavedServerState s, final UnaryOperator<SavedConnectionInfo.Builder> edit) {
        final SavedServerState.Builder b = s.toBuilder();
        edit.apply(b.getConnectionBuilder().getInfoBuilder());
        return b.build();
    }

    private static SavedServerState editChannel(
            final SavedServerState s, final int index, final UnaryOperator<SavedChannel.Builder> edit) {
        final SavedServerState.Builder b = s.toBuilder();
        edit.apply(b.getChannelsBuilder(index));
        return b.build();
    }

    private static SavedServerState editGpadl(
            final SavedServerState s, final int index, final UnaryOperator<SavedGpadl.Builder> edit) {
        final SavedServerState.Builder b = s.toBuilder();
        edit.apply(b.getGpadlsBuilder(index));
        return b.build();
    }

    @Test
    void shouldRestoreTheUneditedState() {
        final ServerHarness r = ServicingHarness.freshWithOffers(CONFIG, new OfferId[4], 3);
        final RestoreResult result = r.server.restoreState(richState(), RestoreLimits.defaults());
        assertThat(result).isEqualTo(new RestoreResult.Restored(0, 3, 0, 2, 0));
    }

    @Test
    void shouldRefuseVersionsBeyondWhatThisServerRestores() {
        assertThat(refused(editConnectionInfo(
                        richState(),
                        i -> i.setVersion(SavedVersionInfo.newBuilder().setVersion(0x00070000)))))
                .isEqualTo(RestoreErrorKind.UNSUPPORTED_VERSION);
        // Reference #19: a Copper connection on a server that restores up to Win10.
        assertThat(refused(
                        richState(),
                        RestoreLimits.defaults().withMaxVersion(ProtocolVersion.WIN10, 0xFFFFFFFF),
                        CONFIG))
                .isEqualTo(RestoreErrorKind.UNSUPPORTED_VERSION);
    }

    @Test
    void shouldRefuseFeatureFlagsThisServerCannotHonour() {
        // Reference #20: 0x8 negotiated, restore mask 0x1.
        assertThat(refused(richState(), RestoreLimits.defaults().withMaxVersion(ProtocolVersion.COPPER, 0x1), CONFIG))
                .isEqualTo(RestoreErrorKind.UNSUPPORTED_FEATURE_FLAGS);
        // Reference #23: flags below Copper.
        assertThat(refused(editConnectionInfo(
                        richState(ProtocolVersion.WIN10_RS5, 0),
                        i -> i.setVersion(i.getVersion().toBuilder().setFeatureFlags(0x1)))))
                .isEqualTo(RestoreErrorKind.UNSUPPORTED_FEATURE_FLAGS);
        // 0x10 needs a trusted connection; 0x80 a server with GPA pinning.
        assertThat(refused(editConnectionInfo(
                        richState(),
                        i -> i.setVersion(i.getVersion().toBuilder().setFeatureFlags(0x10)))))
                .isEqualTo(RestoreErrorKind.UNSUPPORTED_FEATURE_FLAGS);
        assertThat(refused(editConnectionInfo(
                        richState(),
                        i -> i.setVersion(i.getVersion().toBuilder().setFeatureFlags(0x80)))))
                .isEqualTo(RestoreErrorKind.UNSUPPORTED_FEATURE_FLAGS);
    }

    @Test
    void shouldRefuseReservedChannelVersionsAndFlagsBeyondWhatThisServerRestores() {
        // Reference #25 and #26/#27: the reserved channel keeps the version it was opened under.
        assertThat(refused(
                        richState(ProtocolVersion.COPPER, 0),
                        RestoreLimits.defaults().withMaxVersion(ProtocolVersion.WIN10, 0xFFFFFFFF),
                        CONFIG))
                .isIn(RestoreErrorKind.UNSUPPORTED_VERSION, RestoreErrorKind.UNSUPPORTED_RESERVE_VERSION);
        final SavedServerState s = richState();
        final SavedServerState oldReserved = editChannel(
                s,
                1,
                c -> c.setReserved(c.getReserved().toBuilder()
                        .setVersion(SavedVersionInfo.newBuilder().setVersion(ProtocolVersion.WIN8_1.code()))));
        assertThat(refused(oldReserved)).isEqualTo(RestoreErrorKind.UNSUPPORTED_RESERVE_VERSION);
        final SavedServerState badFlags = editChannel(
                s,
                1,
                c -> c.setReserved(c.getReserved().toBuilder()
                        .setVersion(c.getReserved().getVersion().toBuilder().setFeatureFlags(0x100))));
        assertThat(refused(badFlags)).isEqualTo(RestoreErrorKind.UNSUPPORTED_RESERVE_FEATURE_FLAGS);
    }

    @Test
    void shouldRefuseAServerThatIsNotFresh() {
        final ServerHarness r = new ServerHarness(CONFIG);
        r.offer(1);
        r.connect(ProtocolVersion.WIN10, 0);
        final ServerSnapshot before = r.server.inspect();
        assertThat(r.server.restoreState(richState(), RestoreLimits.defaults()).errorKind())
                .isEqualTo(RestoreErrorKind.NOT_FRESH);
        assertThat(r.server.inspect()).isEqualTo(before);
    }

    @Test
    void shouldRefuseInconsistentChannels() {
        final SavedServerState s = richState();
        final SavedServerState dupKey =
                s.toBuilder().addChannels(s.getChannels(0)).build();
        assertThat(refused(dupKey)).isEqualTo(RestoreErrorKind.DUPLICATE_CHANNEL_KEY);
        assertThat(refused(editChannel(s, 1, c -> c.setChannelId(1)))).isEqualTo(RestoreErrorKind.DUPLICATE_CHANNEL_ID);
        assertThat(refused(editChannel(s, 0, c -> c.setChannelId(3000))))
                .isEqualTo(RestoreErrorKind.INVALID_CHANNEL_ID);
        assertThat(refused(editChannel(s, 0, c -> c.setChannelId(0)))).isEqualTo(RestoreErrorKind.INVALID_CHANNEL_ID);
        assertThat(refused(editChannel(s, 1, SavedChannel.Builder::clearRequest)))
                .isEqualTo(RestoreErrorKind.INVALID_CHANNEL);
        assertThat(refused(editChannel(s, 1, SavedChannel.Builder::clearDeviceOpen)))
                .isEqualTo(RestoreErrorKind.INVALID_CHANNEL);
        assertThat(refused(editChannel(s, 0, c -> c.setState(42)))).isEqualTo(RestoreErrorKind.MALFORMED);
        assertThat(refused(editChannel(
                        s, 0, c -> c.setKey(c.getKey().toBuilder().setInterfaceId(ByteString.copyFrom(new byte[15]))))))
                .isEqualTo(RestoreErrorKind.MALFORMED);
        assertThat(refused(editChannel(
                        s,
                        0,
                        c -> c.setOffer(c.getOffer().toBuilder().setUserDefined(ByteString.copyFrom(new byte[3]))))))
                .isEqualTo(RestoreErrorKind.MALFORMED);
    }

    @Test
    void shouldRefuseMonitorIdsThatCollideOrDisagreeWithTheDevice() {
        final SavedServerState s = richState();
        final SavedServerState twice = editChannel(
                editChannel(s, 0, c -> c.setMonitorId(5).setMonitorFromPool(true)),
                2,
                c -> c.setMonitorId(5).setMonitorFromPool(true));
        assertThat(refused(twice)).isEqualTo(RestoreErrorKind.DUPLICATE_MONITOR_ID);

        final SavedServerState relayed = editChannel(s, 0, c -> c.setMonitorId(9));
        final ServerHarness r = new ServerHarness(CONFIG);
        r.offer(OfferParams.builder(Guid.ofData1(1), Guid.ofData1(1))
                .mnf(new MnfUsage.Relayed(3))
                .build());
        final ServerSnapshot before = r.server.inspect();
        assertThat(r.server.restoreState(relayed, RestoreLimits.defaults()).errorKind())
                .isEqualTo(RestoreErrorKind.MISMATCHED_MONITOR_ID);
        assertThat(r.server.inspect()).isEqualTo(before);
    }

    @Test
    void shouldRefuseInconsistentGpadls() {
        final SavedServerState s = richState();
        assertThat(refused(editGpadl(
                        s,
                        0,
                        g -> g.setChannel(SavedOfferKey.newBuilder()
                                .setInterfaceId(
                                        ByteString.copyFrom(Guid.ofData1(77).toBytes()))
                                .setInstanceId(
                                        ByteString.copyFrom(Guid.ofData1(77).toBytes()))))))
                .isEqualTo(RestoreErrorKind.UNKNOWN_GPADL_CHANNEL);
        assertThat(refused(s.toBuilder().addGpadls(s.getGpadls(0)).build()))
                .isEqualTo(RestoreErrorKind.DUPLICATE_GPADL_ID);
        // Two in progress with one id on different channels (GPADL_BODY has no channel id).
        final SavedServerState inProgressTwice = s.toBuilder()
                .addGpadls(
                        s.getGpadls(1).toBuilder().setChannel(s.getChannels(2).getKey()))
                .build();
        assertThat(refused(inProgressTwice)).isEqualTo(RestoreErrorKind.DUPLICATE_GPADL_ID);
        assertThat(refused(editGpadl(s, 0, g -> g.setWords(0, 1L | (0x1000L << 32)))))
                .isEqualTo(RestoreErrorKind.INVALID_GPADL);
        assertThat(refused(editGpadl(s, 1, g -> g.setExpectedWords(2))))
                .as("in progress but complete")
                .isEqualTo(RestoreErrorKind.INVALID_GPADL);
        assertThat(refused(editGpadl(s, 0, g -> g.setExpectedWords(9000)))).isEqualTo(RestoreErrorKind.INVALID_GPADL);
        final ServerConfig small = ServerConfig.builder().maxGpadlsPerChannel(1).build();
        assertThat(refused(s, RestoreLimits.defaults(), small)).isEqualTo(RestoreErrorKind.LIMIT_EXCEEDED);
    }

    @Test
    void shouldRefuseGpadlPagesAndBytesBeyondThisServersLimits() {
        final SavedServerState s = richState();
        // GPADL 10 rewritten to one range of two pages (PFNs 5 and 6): valid, but over a one-page limit.
        final SavedServerState twoPages = editGpadl(
                s,
                0,
                g -> g.setExpectedWords(3)
                        .clearWords()
                        .addWords(2 * 4096L)
                        .addWords(5L)
                        .addWords(6L));
        assertThat(refused(
                        twoPages,
                        RestoreLimits.defaults(),
                        ServerConfig.builder().maxGpadlPages(1).build()))
                .isEqualTo(RestoreErrorKind.LIMIT_EXCEEDED);
        // The state holds GPADL 10 (2 words) and GPADL 11 (2 of 4 words received): over 24 bytes however counted.
        assertThat(refused(
                        s,
                        RestoreLimits.defaults(),
                        ServerConfig.builder().maxGpadlBytesTotal(24).build()))
                .isEqualTo(RestoreErrorKind.LIMIT_EXCEEDED);
    }

    @Test
    void shouldRefuseQueuedMessagesThatAreNotHostMessages() {
        final SavedServerState s = richState();
        final SavedServerState guestMessage = s.toBuilder()
                .addOutgoing(SavedQueuedMessage.newBuilder()
                        .setTarget(SavedTarget.newBuilder()
                                .setDefaultTarget(io.jvmbus.server.savedstate.SavedEmpty.getDefaultInstance()))
                        .setMessage(ByteString.copyFrom(GuestMessages.requestOffers())))
                .build();
        assertThat(refused(guestMessage)).isEqualTo(RestoreErrorKind.INVALID_MESSAGE);
        final SavedServerState noTarget = s.toBuilder()
                .addOutgoing(SavedQueuedMessage.newBuilder().setMessage(ByteString.copyFrom(new byte[8])))
                .build();
        assertThat(refused(noTarget)).isEqualTo(RestoreErrorKind.INVALID_MESSAGE);
    }

    @Test
    void shouldRefuseConnectionDataThatContradictsThePhase() {
        final SavedServerState s = richState();
        final SavedServerState.Builder disconnected = s.toBuilder();
        disconnected.getConnectionBuilder().setPhase(ConnectionPhase.DISCONNECTED.code());
        assertThat(refused(disconnected.build())).isEqualTo(RestoreErrorKind.INVALID_CONNECTION);
        final SavedServerState.Builder noConnection = s.toBuilder().clearConnection();
        assertThat(refused(noConnection.build())).isEqualTo(RestoreErrorKind.MALFORMED);
        final ServerHarness idle = ServicingHarness.freshWithOffers(CONFIG, new OfferId[4], 3);
        final SavedServerState.Builder hvsockWhileDisconnecting = idle.server.saveState().toBuilder();
        hvsockWhileDisconnecting.addHvsockRequests(SavedHvsockRequest.newBuilder()
                .setServiceId(ByteString.copyFrom(new byte[16]))
                .setEndpointId(ByteString.copyFrom(new byte[16]))
                .setSiloId(ByteString.copyFrom(new byte[16])));
        assertThat(refused(hvsockWhileDisconnecting.build())).isEqualTo(RestoreErrorKind.INVALID_HVSOCK_REQUEST);
    }
}
