package io.jvmbus.client;

import static io.jvmbus.client.GuestFixture.TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.NtStatus;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage.OfferChannel;
import io.jvmbus.server.OfferId;
import io.jvmbus.server.ServerConfig;
import io.jvmbus.testkit.wire.GuestMessages;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChannelLifecycleTest {

    @Test
    void shouldOpenWithOpenIdEqualToRelidAndCloseThenTearDownTheRingGpadl() {
        try (GuestFixture f = GuestFixture.linux()) {
            final OfferChannel offer = f.connectWithDevices(1).getFirst();
            final int relid = offer.channelId();
            final int freeBefore = f.ram.freePages();

            final GuestChannel ch = f.client.open(offer, OpenOptions.rings(4, 6), TIMEOUT);

            final int gpadl = ch.ringGpadl().gpadlId();
            assertThat(f.host.posted().getLast().bytes())
                    .isEqualTo(GuestMessages.openChannel(relid, relid, gpadl, 0, 4));
            assertThat(f.host.openEchoChannels()).isEqualTo(1);
            assertThat(f.ram.freePages()).isEqualTo(freeBefore - 10);

            final int mark = f.host.posted().size();
            f.client.close(ch, TIMEOUT);

            final List<InProcessHost.Posted> sent =
                    f.host.posted().subList(mark, f.host.posted().size());
            assertThat(sent)
                    .extracting(InProcessHost.Posted::bytes)
                    .containsExactly(GuestMessages.closeChannel(relid), GuestMessages.gpadlTeardown(relid, gpadl));
            assertThat(ch.isClosed()).isTrue();
            assertThat(f.host.openEchoChannels()).isZero();
            assertThat(f.host.hasGpadl(gpadl)).isFalse();
            assertThat(f.ram.freePages()).isEqualTo(freeBefore);
            assertThat(f.host.errors()).isEmpty();
        }
    }

    @Test
    void shouldReopenAChannelAfterClosingIt() {
        try (GuestFixture f = GuestFixture.linux()) {
            final OfferChannel offer = f.connectWithDevices(1).getFirst();
            f.client.close(f.client.open(offer, OpenOptions.defaults(), TIMEOUT), TIMEOUT);

            final GuestChannel again = f.client.open(offer, OpenOptions.defaults(), TIMEOUT);

            assertThat(again.isClosed()).isFalse();
            assertThat(f.host.openEchoChannels()).isEqualTo(1);
        }
    }

    @Test
    void shouldReportRefusedOpenAndTearDownItsRingGpadl() {
        try (GuestFixture f = GuestFixture.linux()) {
            final OfferId id = f.offer(0);
            f.host.refuseOpens(id, NtStatus.UNSUCCESSFUL);
            f.client.connect(TIMEOUT);
            final OfferChannel offer = f.client.requestOffers(TIMEOUT).getFirst();
            final int freeBefore = f.ram.freePages();

            assertThatThrownBy(() -> f.client.open(offer, OpenOptions.defaults(), TIMEOUT))
                    .isInstanceOfSatisfying(
                            GuestException.class, e -> assertThat(e.kind()).isEqualTo(GuestException.Kind.REFUSED));
            assertThat(f.host.hasGpadl(0xE1E10)).isFalse();
            assertThat(f.ram.freePages()).isEqualTo(freeBefore);
        }
    }

    @Test
    void shouldOpenWithOpenChannel2AsCopperClient() {
        try (GuestFixture f = new GuestFixture(ServerConfig.defaults(), GuestOptions.copper(Guid.ofData1(3)))) {
            final OfferChannel offer = f.connectWithDevices(1).getFirst();
            final int relid = offer.channelId();

            final GuestChannel ch = f.client.open(offer, OpenOptions.rings(2, 2), TIMEOUT);

            assertThat(f.host.posted().getLast().bytes())
                    .isEqualTo(GuestMessages.openChannel2(
                            relid, relid, ch.ringGpadl().gpadlId(), 0, 2, new byte[0], offer.connectionId(), relid, 0));
        }
    }

    @Test
    void shouldOpenAndCloseAReservedChannelAsUefiFirmware() {
        try (GuestFixture f = new GuestFixture(ServerConfig.defaults(), GuestOptions.uefi())) {
            final OfferChannel offer = f.connectWithDevices(1).getFirst();
            final int relid = offer.channelId();

            final GuestChannel ch = f.client.openReserved(offer, OpenOptions.rings(2, 2), 0, 2, TIMEOUT);

            assertThat(ch.isReserved()).isTrue();
            assertThat(f.host.posted().getLast().bytes())
                    .isEqualTo(GuestMessages.openReservedChannel(
                            relid, 0, 2, ch.ringGpadl().gpadlId(), 2));
            assertThat(f.host.openEchoChannels()).isEqualTo(1);

            f.client.closeReserved(ch, 0, 2, TIMEOUT);

            assertThat(ch.isClosed()).isTrue();
            assertThat(f.host.openEchoChannels()).isZero();
            assertThat(f.host.hasGpadl(ch.ringGpadl().gpadlId())).isFalse();
            assertThat(f.host.posted())
                    .extracting(InProcessHost.Posted::bytes)
                    .contains(GuestMessages.closeReservedChannel(relid, 0, 2));
        }
    }

    @Test
    void shouldRefuseReservedChannelsBelowWindows10() {
        try (GuestFixture f = GuestFixture.linuxAgainstCoreCappedAt(ProtocolVersion.WIN8_1)) {
            final OfferChannel offer = f.connectWithDevices(1).getFirst();

            assertThatThrownBy(() -> f.client.openReserved(offer, OpenOptions.rings(2, 2), 0, 2, TIMEOUT))
                    .isInstanceOfSatisfying(
                            GuestException.class,
                            e -> assertThat(e.kind()).isEqualTo(GuestException.Kind.INVALID_STATE));
        }
    }

    @Test
    void shouldWaitForModifyResponseAtIron() {
        try (GuestFixture f = GuestFixture.linux()) {
            final OfferChannel offer = f.connectWithDevices(1).getFirst();
            final GuestChannel ch = f.client.open(offer, OpenOptions.defaults(), TIMEOUT);

            final OptionalInt status = f.client.modify(ch, 1, TIMEOUT);

            assertThat(status).hasValue(NtStatus.SUCCESS);
            assertThat(f.host.posted().getLast().bytes()).isEqualTo(GuestMessages.modifyChannel(offer.channelId(), 1));
        }
    }

    @Test
    void shouldNotWaitForModifyResponseBelowIron() {
        try (GuestFixture f = GuestFixture.linuxAgainstCoreCappedAt(ProtocolVersion.WIN10_RS5)) {
            final OfferChannel offer = f.connectWithDevices(1).getFirst();
            final GuestChannel ch = f.client.open(offer, OpenOptions.defaults(), TIMEOUT);

            assertThat(f.client.modify(ch, 1, TIMEOUT)).isEmpty();
            assertThat(f.host.posted().getLast().bytes()).isEqualTo(GuestMessages.modifyChannel(offer.channelId(), 1));
        }
    }

    @Test
    void shouldRefuseModifyBelow41() {
        try (GuestFixture f = GuestFixture.linuxAgainstCoreCappedAt(ProtocolVersion.WIN10)) {
            final OfferChannel offer = f.connectWithDevices(1).getFirst();
            final GuestChannel ch = f.client.open(offer, OpenOptions.defaults(), TIMEOUT);

            assertThatThrownBy(() -> f.client.modify(ch, 1, TIMEOUT))
                    .isInstanceOfSatisfying(
                            GuestException.class,
                            e -> assertThat(e.kind()).isEqualTo(GuestException.Kind.INVALID_STATE));
        }
    }

    @Test
    void shouldUnloadClosingEveryChannelAndReconnectAfterwards() {
        try (GuestFixture f = GuestFixture.linux()) {
            final List<OfferChannel> offers = f.connectWithDevices(2);
            final int freeBefore = f.ram.freePages();
            final GuestChannel ch = f.client.open(offers.getFirst(), OpenOptions.defaults(), TIMEOUT);

            f.client.unload(TIMEOUT);

            assertThat(f.ram.freePages()).as("ring pages freed").isEqualTo(freeBefore);

            assertThat(f.client.phase()).isEqualTo(GuestClient.Phase.DISCONNECTED);
            assertThat(f.client.connection()).isNull();
            assertThat(ch.isClosed()).isTrue();
            assertThat(f.client.offers()).isEmpty();
            assertThat(f.host.openEchoChannels()).isZero();
            assertThat(f.host.posted().getLast().bytes()).isEqualTo(GuestMessages.unload());

            f.client.connect(TIMEOUT);
            assertThat(f.client.requestOffers(TIMEOUT)).hasSize(2);
        }
    }

    @Test
    void shouldKeepAReservedChannelOpenAcrossUnload() {
        try (GuestFixture f = new GuestFixture(ServerConfig.defaults(), GuestOptions.uefi())) {
            final OfferChannel offer = f.connectWithDevices(1).getFirst();
            final GuestChannel ch = f.client.openReserved(offer, OpenOptions.rings(2, 2), 0, 2, TIMEOUT);

            f.client.unload(TIMEOUT);

            assertThat(ch.isClosed()).isFalse();
            assertThat(f.host.openEchoChannels()).isEqualTo(1);
        }
    }

    @Test
    void shouldNotUnloadBelow30LikeLinux() {
        try (GuestFixture f = GuestFixture.linuxAgainstCoreCappedAt(ProtocolVersion.WIN8)) {
            f.client.connect(TIMEOUT);

            assertThatThrownBy(() -> f.client.unload(TIMEOUT))
                    .isInstanceOfSatisfying(
                            GuestException.class,
                            e -> assertThat(e.kind()).isEqualTo(GuestException.Kind.INVALID_STATE));
            assertThat(f.client.phase()).isEqualTo(GuestClient.Phase.CONNECTED);
        }
    }

    @Test
    void shouldCloseAndReleaseARescindedOpenChannelWithoutGpadlTeardown() {
        try (GuestFixture f = GuestFixture.linux()) {
            final OfferId id = f.offer(0);
            f.client.connect(TIMEOUT);
            final OfferChannel offer = f.client.requestOffers(TIMEOUT).getFirst();
            final int relid = offer.channelId();
            final GuestChannel ch = f.client.open(offer, OpenOptions.defaults(), TIMEOUT);
            final int mark = f.host.posted().size();

            f.host.revoke(id);
            f.client.awaitReleased(relid, TIMEOUT);

            assertThat(ch.isClosed()).isTrue();
            final List<InProcessHost.Posted> sent =
                    f.host.posted().subList(mark, f.host.posted().size());
            assertThat(sent)
                    .extracting(InProcessHost.Posted::bytes)
                    .containsExactly(GuestMessages.closeChannel(relid), GuestMessages.relIdReleased(relid));
            assertThat(f.client.offers()).isEmpty();
            // Linux sends CLOSECHANNEL after a rescind; the core accepts the post and ignores it with a typed note.
            assertThat(f.host.errors()).allMatch(e -> e.startsWith("CHANNEL_REVOKED"));
        }
    }

    @Test
    void shouldReleaseARescindedClosedChannelAndSeeItReofferedUnderTheSameKey() {
        try (GuestFixture f = GuestFixture.linux()) {
            final OfferId id = f.offer(0);
            f.client.connect(TIMEOUT);
            final int relid = f.client.requestOffers(TIMEOUT).getFirst().channelId();

            f.host.revoke(id);
            f.client.awaitReleased(relid, TIMEOUT);
            f.offer(0);

            final OfferChannel again = f.client.awaitOffer(Guid.ofData1(0x1000), Guid.ofData1(0x2000), TIMEOUT);
            assertThat(again.channelId()).isPositive();
            assertThat(f.host.posted().getLast().bytes()).isEqualTo(GuestMessages.relIdReleased(relid));
        }
    }

    @Test
    void shouldRetryAPostRefusedWithInsufficientBuffersUntilTheHostDelivers() throws Exception {
        try (GuestFixture f = GuestFixture.linux()) {
            final int relid = f.connectWithDevices(1).getFirst().channelId();
            f.host.pauseDelivery(true);
            f.offer(1); // hot add: OFFER_CHANNEL now waits in the host's queue, so posts get 19
            final long[] pages = f.ram.allocate(4);

            final CompletableFuture<GuestGpadl> gpadl =
                    CompletableFuture.supplyAsync(() -> f.client.createGpadl(relid, pages, TIMEOUT));
            assertThat(f.host.awaitBusyRejections(1, TIMEOUT)).isTrue();
            assertThat(gpadl).isNotDone();
            f.host.pauseDelivery(false);

            assertThat(gpadl.get(10, TimeUnit.SECONDS).gpadlId()).isEqualTo(0xE1E10);
            assertThat(f.client.postRetries()).isPositive();
            assertThat(f.client.offers()).hasSize(2);
        }
    }
}
