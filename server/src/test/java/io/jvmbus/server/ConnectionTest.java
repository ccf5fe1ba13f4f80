package io.jvmbus.server;

import static io.jvmbus.server.ServerHarness.dev;
import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.protocol.ConnectionState;
import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage;
import io.jvmbus.protocol.message.ChannelMessage.ModifyConnectionResponse;
import io.jvmbus.protocol.message.ChannelMessage.UnloadComplete;
import io.jvmbus.protocol.message.ChannelMessage.VersionResponse;
import io.jvmbus.protocol.message.ChannelMessage.VersionResponseForm;
import io.jvmbus.testkit.wire.GuestMessages;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** UNLOAD, reconnect, VM reset at every point, MODIFY_CONNECTION: reference tests #35, #36, #49, #50, B2, B3. */
class ConnectionTest {

    private static byte[] contact(final ProtocolVersion v, final int flags) {
        return GuestMessages.initiateContact(v.code(), 0, GuestMessages.targetInfo(2, 0, flags), 0, 0);
    }

    private static OfferId off(final int n) {
        return new OfferId(n);
    }

    @Test
    void shouldResetTheConnectionBeforeUnloadCompletes() {
        final ServerHarness h = new ServerHarness();
        h.offer(1);
        h.offer(2);
        h.offer(3);
        h.connectAndRequestOffers(ProtocolVersion.WIN10, 0);
        h.sendOk(GuestMessages.unload());
        assertThat(h.nextRelay()).isEqualTo(ModifyConnectionRequest.disconnect());
        h.expectNoMessages();
        assertThat(h.server.inspect().connection().phase()).isEqualTo(ConnectionPhase.DISCONNECTING);
        h.ack();
        h.expectMessages(new UnloadComplete());
        assertThat(h.fx.unloadCompletes).isEqualTo(1);
        assertThat(h.server.inspect().connection().phase()).isEqualTo(ConnectionPhase.DISCONNECTED);
        assertThat(h.server.inspect().channels()).allMatch(c -> c.state() == ChannelState.CLIENT_RELEASED);
    }

    @Test
    void shouldCloseOpenChannelsBeforeUnloadCompletes() {
        final ServerHarness h = new ServerHarness();
        h.offer(1);
        h.offer(2);
        h.offer(3);
        h.connectAndRequestOffers(ProtocolVersion.WIN10, 0);
        h.sendOk(GuestMessages.openChannel(1, 1, 1, 0, 1));
        h.sendOk(GuestMessages.openChannel(2, 2, 1, 0, 1));
        h.oc(off(1), 0);
        h.oc(off(2), 0);
        h.messages();
        h.device();
        h.sendOk(GuestMessages.unload());
        assertThat(h.fx.relay).isEmpty();
        h.expectDevice(dev(off(1), DeviceRequest.CLOSE), dev(off(2), DeviceRequest.CLOSE));
        h.cc(off(1));
        assertThat(h.fx.relay).isEmpty();
        h.cc(off(2));
        assertThat(h.nextRelay()).isEqualTo(ModifyConnectionRequest.disconnect());
        h.expectNoMessages();
        h.ack();
        h.expectMessages(new UnloadComplete());
    }

    @Test
    void shouldReplaceUnloadCompleteWithAReconnectRequestedWhileDisconnecting() {
        final ServerHarness h = new ServerHarness();
        h.connect(ProtocolVersion.WIN10, 0);
        h.sendOk(GuestMessages.unload());
        h.sendOk(contact(ProtocolVersion.WIN10, 0));
        h.ack();
        assertThat(h.nextRelay().version()).isEqualTo(new VersionInfo(ProtocolVersion.WIN10, 0));
        h.ack();
        assertThat(h.messages()).singleElement().isInstanceOf(VersionResponse.class);
        assertThat(h.fx.unloadCompletes).isZero();
    }

    @Test
    void shouldCompleteAResetOfAnIdleServerAtOnce() {
        final ServerHarness h = new ServerHarness();
        h.offer(1);
        assertThat(h.reset()).isEqualTo(Outcome.OK);
        assertThat(h.fx.resetCompletes).isEqualTo(1);
        assertThat(h.fx.relayLog).isEmpty();
    }

    @Test
    void shouldFinishAConnectThenResetWhenResetWhileConnecting() {
        final ServerHarness h = new ServerHarness();
        h.offer(1);
        h.sendOk(contact(ProtocolVersion.WIN10, 0));
        h.reset();
        assertThat(h.server.inspect().connection().nextAction()).isEqualTo(NextAction.RESET);
        assertThat(h.send(GuestMessages.requestOffers()).errorKind()).isEqualTo(ErrorKind.RESETTING);
        assertThat(h.reset().errorKind()).isEqualTo(ErrorKind.RESET_IN_PROGRESS);
        assertThat(h.server.acceptingMessages()).isFalse();
        h.ack();
        // The connect answer still produces the VERSION_RESPONSE; then the queued reset disconnects.
        assertThat(h.nextRelay()).isEqualTo(ModifyConnectionRequest.disconnect());
        h.ack();
        assertThat(h.fx.resetCompletes).isEqualTo(1);
        // A reset clears the outgoing queue (the guest is gone).
        assertThat(h.server.queuedMessages()).isZero();
        assertThat(h.server.acceptingMessages()).isTrue();
    }

    @Test
    void shouldNeverLoseAResetQueuedWhileConnectingWhenTheConnectFails() {
        // B3: the reference drops next_action when the relay fails the connect, so the reset never completes.
        for (final ModifyConnectionResult failure : new ModifyConnectionResult[] {
            new ModifyConnectionResult.Unsupported(),
            new ModifyConnectionResult.Supported(ConnectionState.FAILED_UNKNOWN_FAILURE, 0, null)
        }) {
            final ServerHarness h = new ServerHarness();
            h.offer(1);
            h.sendOk(contact(ProtocolVersion.WIN10, 0));
            h.reset();
            h.answerRelay(failure);
            assertThat(h.fx.resetCompletes).as("reset after %s", failure).isEqualTo(1);
            assertThat(h.server.inspect().connection().phase()).isEqualTo(ConnectionPhase.DISCONNECTED);
            assertThat(h.server.acceptingMessages()).isTrue();
        }
        // With a reserved channel to close, the reset waits for it and then for the host.
        final ServerHarness h = new ServerHarness();
        h.offer(1);
        h.connectAndRequestOffers(ProtocolVersion.WIN10, 0);
        h.sendOk(GuestMessages.openReservedChannel(1, 0, 2, 0, 0));
        h.oc(off(1), 0);
        h.sendOk(GuestMessages.unload());
        h.ack();
        h.drain();
        h.sendOk(contact(ProtocolVersion.WIN10, 0));
        h.device();
        h.reset();
        h.expectDevice(dev(off(1), DeviceRequest.CLOSE));
        h.answerRelay(new ModifyConnectionResult.Unsupported());
        assertThat(h.fx.resetCompletes).isZero();
        h.cc(off(1));
        h.ack();
        assertThat(h.fx.resetCompletes).isEqualTo(1);
    }

    @Test
    void shouldNeverLoseAReconnectQueuedWhileConnectingWhenTheConnectFails() {
        final ServerHarness h = new ServerHarness();
        h.sendOk(contact(ProtocolVersion.COPPER, 0));
        h.sendOk(contact(ProtocolVersion.IRON, 0));
        h.answerRelay(new ModifyConnectionResult.Unsupported());
        assertThat(h.messages()).containsExactly(VersionResponse.unsupported());
        assertThat(h.nextRelay().version()).isEqualTo(new VersionInfo(ProtocolVersion.IRON, 0));
        h.ack();
        assertThat(h.messages()).containsExactly(new VersionResponse(VersionResponseForm.V1, 1, 0, 1, 0, 0, 0));
    }

    @Test
    void shouldReconnectAfterAConnectThatSucceedsWithAReconnectQueued() {
        final ServerHarness h = new ServerHarness();
        h.sendOk(contact(ProtocolVersion.COPPER, 0));
        h.sendOk(contact(ProtocolVersion.IRON, 0));
        h.ack();
        assertThat(h.messages())
                .singleElement()
                .extracting(m -> ((VersionResponse) m).form())
                .isEqualTo(VersionResponseForm.V2);
        assertThat(h.nextRelay()).isEqualTo(ModifyConnectionRequest.disconnect());
        h.ack();
        h.ack();
        assertThat(h.server.inspect().connection().version()).isEqualTo(new VersionInfo(ProtocolVersion.IRON, 0));
    }

    @Test
    void shouldTurnAUnloadIntoAResetWhenResetWhileDisconnecting() {
        final ServerHarness h = new ServerHarness();
        h.offer(1);
        h.connectAndRequestOffers(ProtocolVersion.WIN10, 0);
        h.sendOk(GuestMessages.openReservedChannel(1, 0, 2, 0, 0));
        h.oc(off(1), 0);
        h.drain();
        h.device();
        h.sendOk(GuestMessages.unload());
        h.reset();
        // The reset request is already out; the reserved channel closes now and the reset waits for it.
        h.expectDevice(dev(off(1), DeviceRequest.CLOSE));
        h.ack();
        assertThat(h.fx.resetCompletes).isZero();
        h.cc(off(1));
        h.ack();
        assertThat(h.fx.resetCompletes).isEqualTo(1);
        assertThat(h.fx.unloadCompletes).isZero();
        h.expectNoMessages();
    }

    @Test
    void shouldRejectUnexpectedRelayAnswers() {
        final ServerHarness h = new ServerHarness();
        assertThat(h.server
                        .completeModifyConnection(new ModifyConnectionResult.Modified(0))
                        .errorKind())
                .isEqualTo(ErrorKind.UNEXPECTED_RELAY_RESPONSE);
        h.sendOk(contact(ProtocolVersion.WIN10, 0));
        assertThat(h.answerRelay(new ModifyConnectionResult.Modified(0)).errorKind())
                .isEqualTo(ErrorKind.UNEXPECTED_RELAY_RESPONSE);
        // The guest is not left waiting.
        assertThat(h.messages())
                .containsExactly(new VersionResponse(
                        VersionResponseForm.V1, 1, ConnectionState.FAILED_UNKNOWN_FAILURE, 0x40000, 0, 0, 0));
        assertThat(h.server.inspect().connection().phase()).isEqualTo(ConnectionPhase.DISCONNECTED);
    }

    @Test
    void shouldRefuseModifyConnectionUnlessNegotiated() {
        final ServerHarness h = new ServerHarness();
        h.connect(ProtocolVersion.COPPER, 0);
        assertThat(h.send(GuestMessages.modifyConnection(5, 6)).errorKind()).isEqualTo(ErrorKind.DECODE_FAILED);
        h.expectNoMessages();
        assertThat(h.fx.relay).isEmpty();
    }

    @Test
    void shouldForwardModifyConnectionAndReportTheHostsState() {
        final ServerHarness h = new ServerHarness();
        h.connect(ProtocolVersion.COPPER, FeatureFlags.MODIFY_CONNECTION);
        h.sendOk(GuestMessages.modifyConnection(5, 6));
        assertThat(h.nextRelay())
                .isEqualTo(new ModifyConnectionRequest(
                        null,
                        new Update.Set<>(MonitorPages.guest(5, 6)),
                        new Update.Unchanged<>(),
                        OptionalInt.empty(),
                        true));
        assertThat(h.fx.hostMonitorPages).isEqualTo(MonitorPages.guest(5, 6));
        h.answerRelay(new ModifyConnectionResult.Modified(ConnectionState.FAILED_UNKNOWN_FAILURE));
        h.expectMessages(new ChannelMessage.ModifyConnectionResponse(ConnectionState.FAILED_UNKNOWN_FAILURE));
        // B2: the refused pages are not kept.
        assertThat(h.server.inspect().connection().monitorPages())
                .isEqualTo(MonitorPages.guest(ServerHarness.P2C, ServerHarness.C2P));
        h.sendOk(GuestMessages.modifyConnection(5, 6));
        h.ack();
        h.expectMessages(new ChannelMessage.ModifyConnectionResponse(0));
        assertThat(h.server.inspect().connection().monitorPages()).isEqualTo(MonitorPages.guest(5, 6));
        h.sendOk(GuestMessages.modifyConnection(0, 0));
        h.ack();
        h.expectMessages(new ChannelMessage.ModifyConnectionResponse(0));
        assertThat(h.server.inspect().connection().monitorPages()).isNull();
    }

    @Test
    void shouldAnswerInvalidAndDuplicateModifyConnectionWithFailures() {
        // B2: the reference panics on both.
        final ServerHarness h = new ServerHarness();
        h.connect(ProtocolVersion.COPPER, FeatureFlags.MODIFY_CONNECTION);
        assertThat(h.send(GuestMessages.modifyConnection(5, 0)).errorKind()).isEqualTo(ErrorKind.INVALID_MONITOR_PAGES);
        h.expectMessages(new ModifyConnectionResponse(ConnectionState.FAILED_UNKNOWN_FAILURE));
        assertThat(h.fx.relay).isEmpty();
        h.sendOk(GuestMessages.modifyConnection(5, 6));
        assertThat(h.send(GuestMessages.modifyConnection(7, 8)).errorKind())
                .isEqualTo(ErrorKind.MODIFY_CONNECTION_IN_PROGRESS);
        h.expectMessages(new ModifyConnectionResponse(ConnectionState.FAILED_UNKNOWN_FAILURE));
        assertThat(h.fx.relay).hasSize(1);
        h.ack();
        h.expectMessages(new ModifyConnectionResponse(0));
        assertThat(h.server.inspect().connection().monitorPages()).isEqualTo(MonitorPages.guest(5, 6));
        // Server-allocated pages cannot be changed.
        final ServerHarness s = new ServerHarness();
        s.sendOk(contact(ProtocolVersion.COPPER, FeatureFlags.MODIFY_CONNECTION | 0x40));
        s.answerRelay(new ModifyConnectionResult.Supported(0, 0xFF, MonitorPages.server(0x1000, 0x2000)));
        s.messages();
        assertThat(s.send(GuestMessages.modifyConnection(5, 6)).errorKind())
                .isEqualTo(ErrorKind.SERVER_ALLOCATED_MONITOR_PAGES);
        s.expectMessages(new ModifyConnectionResponse(ConnectionState.FAILED_UNKNOWN_FAILURE));
    }

    @Test
    void shouldMatchTheModifyAnswerBeforeTheDisconnectAnswerWhenTheGuestUnloadsMeanwhile() {
        final ServerHarness h = new ServerHarness();
        h.connect(ProtocolVersion.COPPER, FeatureFlags.MODIFY_CONNECTION);
        h.sendOk(GuestMessages.modifyConnection(5, 6));
        h.sendOk(GuestMessages.unload());
        assertThat(h.fx.relay).hasSize(2);
        h.ack(); // the modify: the connection is gone, so no MODIFY_CONNECTION_RESPONSE
        h.expectNoMessages();
        assertThat(h.server.inspect().connection().phase()).isEqualTo(ConnectionPhase.DISCONNECTING);
        h.ack(); // the disconnect
        h.expectMessages(new UnloadComplete());
    }

    @Test
    void shouldKeepTrustedConnectionsTrusted() {
        final ServerHarness h = new ServerHarness();
        assertThat(h.sendTrusted(GuestMessages.initiateContact2(
                        ProtocolVersion.COPPER.code(), 0, GuestMessages.targetInfo(2, 0, 0), 0, 0, Guid.ZERO)))
                .isEqualTo(Outcome.OK);
        // Untrusted messages are refused already while Connecting.
        assertThat(h.send(contact(ProtocolVersion.COPPER, 0)).errorKind()).isEqualTo(ErrorKind.UNTRUSTED_MESSAGE);
        h.ack();
        h.messages();
        assertThat(h.send(GuestMessages.unload()).errorKind()).isEqualTo(ErrorKind.UNTRUSTED_MESSAGE);
        assertThat(h.sendTrusted(GuestMessages.unload())).isEqualTo(Outcome.OK);
    }
}
