package io.jvmbus.server;

import static io.jvmbus.server.ServerHarness.dev;
import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.protocol.NtStatus;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage.ModifyChannelResponse;
import io.jvmbus.protocol.message.ChannelMessage.OpenResult;
import io.jvmbus.testkit.wire.GuestMessages;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** MODIFY_CHANNEL and its response by version, and B19. */
class ModifyChannelTest {

    private static final OfferId O = new OfferId(1);

    private static ServerHarness open(final ProtocolVersion v) {
        final ServerHarness h = new ServerHarness();
        h.offer(1);
        h.connectAndRequestOffers(v, 0);
        h.sendOk(GuestMessages.openChannel(1, 1, 0, 2, 1));
        h.oc(O, 0);
        h.expectMessages(new OpenResult(1, 1, 0));
        h.device();
        return h;
    }

    private static int storedVp(final ServerHarness h) {
        return h.server.inspect().channelById(1).openRequest().targetVp();
    }

    @Test
    void shouldChangeTheStoredVpOnlyWhenTheDeviceConfirms() {
        // B19: the reference stores the new VP before the device answers.
        final ServerHarness h = open(ProtocolVersion.IRON);
        h.sendOk(GuestMessages.modifyChannel(1, 5));
        h.expectDevice(dev(O, new DeviceRequest.Modify(5)));
        assertThat(storedVp(h)).isEqualTo(2);
        assertThat(h.server.inspect().channelById(1).modify())
                .isEqualTo(new ModifyState(5, OptionalInt.empty(), false, true));
        h.mc(O, NtStatus.UNSUCCESSFUL);
        h.expectMessages(new ModifyChannelResponse(1, NtStatus.UNSUCCESSFUL));
        assertThat(storedVp(h)).isEqualTo(2);
        h.sendOk(GuestMessages.modifyChannel(1, 6));
        h.mc(O, 0);
        h.expectMessages(new ModifyChannelResponse(1, 0));
        assertThat(storedVp(h)).isEqualTo(6);
        assertThat(h.mc(O, 0).errorKind()).isEqualTo(ErrorKind.STRAY_COMPLETION);
    }

    @Test
    void shouldAnswerASecondModifyOnIron() {
        // B19: the reference drops it without an answer, and a 5.3 guest waits for one.
        final ServerHarness h = open(ProtocolVersion.IRON);
        h.sendOk(GuestMessages.modifyChannel(1, 5));
        assertThat(h.send(GuestMessages.modifyChannel(1, 6)).errorKind()).isEqualTo(ErrorKind.MODIFY_IN_PROGRESS);
        h.expectMessages(new ModifyChannelResponse(1, NtStatus.UNSUCCESSFUL));
        h.mc(O, 0);
        h.expectMessages(new ModifyChannelResponse(1, 0));
        assertThat(storedVp(h)).isEqualTo(5);
        assertThat(h.device()).containsExactly(dev(O, new DeviceRequest.Modify(5)));
    }

    @Test
    void shouldRunTheLatestPendingModifyBeforeIron() {
        final ServerHarness h = open(ProtocolVersion.WIN10_RS3_0);
        h.sendOk(GuestMessages.modifyChannel(1, 5));
        h.sendOk(GuestMessages.modifyChannel(1, 6));
        h.sendOk(GuestMessages.modifyChannel(1, 7));
        h.expectDevice(dev(O, new DeviceRequest.Modify(5)));
        h.mc(O, 0);
        h.expectNoMessages();
        h.expectDevice(dev(O, new DeviceRequest.Modify(7)));
        assertThat(storedVp(h)).isEqualTo(5);
        h.mc(O, 0);
        assertThat(storedVp(h)).isEqualTo(7);
        h.expectNoMessages();
    }

    @Test
    void shouldAnswerInvalidModifiesWithFailuresOnIronOnly() {
        for (final ProtocolVersion v : new ProtocolVersion[] {ProtocolVersion.IRON, ProtocolVersion.WIN10_RS3_0}) {
            final ServerHarness h = open(v);
            final boolean iron = v == ProtocolVersion.IRON;
            assertThat(h.send(GuestMessages.modifyChannel(1, 0xFFFFFFFF)).errorKind())
                    .isEqualTo(ErrorKind.INVALID_TARGET_VP);
            assertThat(h.send(GuestMessages.modifyChannel(9, 1)).errorKind()).isEqualTo(ErrorKind.UNKNOWN_CHANNEL_ID);
            if (iron) {
                h.expectMessages(
                        new ModifyChannelResponse(1, NtStatus.UNSUCCESSFUL),
                        new ModifyChannelResponse(9, NtStatus.UNSUCCESSFUL));
            } else {
                h.expectNoMessages();
            }
            assertThat(h.device()).isEmpty();
        }
    }

    @Test
    void shouldRefuseModifyOnChannelsThatAreNotOpenOrHaveNoInterrupts() {
        final ServerHarness h = new ServerHarness();
        h.offer(1);
        h.offer(2);
        h.connectAndRequestOffers(ProtocolVersion.IRON, 0);
        assertThat(h.send(GuestMessages.modifyChannel(1, 1)).errorKind()).isEqualTo(ErrorKind.INVALID_CHANNEL_STATE);
        h.expectMessages(new ModifyChannelResponse(1, NtStatus.UNSUCCESSFUL));
        h.sendOk(GuestMessages.openChannel(1, 1, 0, 0xFFFFFFFF, 1));
        h.oc(O, 0);
        h.sendOk(GuestMessages.openReservedChannel(2, 0, 2, 0, 0));
        h.oc(new OfferId(2), 0);
        h.drain();
        assertThat(h.send(GuestMessages.modifyChannel(1, 1)).errorKind()).isEqualTo(ErrorKind.INTERRUPTS_DISABLED);
        assertThat(h.send(GuestMessages.modifyChannel(2, 1)).errorKind()).isEqualTo(ErrorKind.INVALID_CHANNEL_STATE);
        h.expectMessages(
                new ModifyChannelResponse(1, NtStatus.UNSUCCESSFUL),
                new ModifyChannelResponse(2, NtStatus.UNSUCCESSFUL));
    }

    @Test
    void shouldStillAnswerAModifyWhoseChannelClosedMeanwhile() {
        final ServerHarness h = open(ProtocolVersion.IRON);
        h.sendOk(GuestMessages.modifyChannel(1, 5));
        h.sendOk(GuestMessages.closeChannel(1));
        h.cc(O);
        h.sendOk(GuestMessages.openChannel(1, 2, 0, 3, 1));
        h.oc(O, 0);
        h.expectMessages(new OpenResult(1, 2, 0));
        h.mc(O, 0);
        h.expectMessages(new ModifyChannelResponse(1, 0));
        // The answer was for the earlier open: the new open keeps its own VP.
        assertThat(storedVp(h)).isEqualTo(3);
    }

    @Test
    void shouldNotAnswerAModifyOfAClientThatReconnected() {
        // Found by the random test: the new client must not get a response to the old client's MODIFY_CHANNEL.
        final ServerHarness h = open(ProtocolVersion.IRON);
        h.sendOk(GuestMessages.modifyChannel(1, 5));
        h.sendOk(GuestMessages.initiateContact(ProtocolVersion.IRON.code(), 0, 2, 0, 0));
        h.cc(O);
        h.ack();
        h.ack();
        h.messages();
        h.requestOffers();
        assertThat(h.server.inspect().channelById(1).modify().answerGuest()).isFalse();
        h.mc(O, 0);
        h.expectNoMessages();
        assertThat(h.server.inspect().channelById(1).modify()).isNull();
    }
}
