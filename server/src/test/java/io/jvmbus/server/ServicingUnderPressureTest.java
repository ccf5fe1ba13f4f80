package io.jvmbus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage.OpenResult;
import io.jvmbus.testkit.wire.GuestMessages;
import org.junit.jupiter.api.Test;

/** Restore edge cases the core's random test found once it filled the queue and re-offered relayed devices. */
class ServicingUnderPressureTest {

    private static OfferParams relayed(final int n, final int monitorId) {
        return OfferParams.builder(Guid.ofData1(n), Guid.ofData1(n))
                .mnf(new MnfUsage.Relayed(monitorId))
                .build();
    }

    @Test
    void shouldRestoreAReofferedChannelWhoseDeviceNowRelaysAnotherMonitorId() {
        for (final boolean offerFirst : new boolean[] {true, false}) {
            final ServerHarness h = new ServerHarness();
            final OfferId old = h.offer(relayed(1, 5));
            h.connectAndRequestOffers(ProtocolVersion.COPPER, 0);
            h.revoke(old);
            h.messages();
            // The device comes back with another relayed monitor id; the guest has not released the old channel.
            h.offer(relayed(1, 7));
            assertThat(h.server.inspect().channelById(1).state()).isEqualTo(ChannelState.REOFFERED);
            final byte[] blob = h.server.save();

            final ServerHarness fresh = new ServerHarness();
            OfferResult offered = null;
            if (offerFirst) {
                offered = fresh.server.offerChannel(relayed(1, 7));
            }
            assertThat(fresh.server.restore(blob).isRestored())
                    .as("restore, offer first=%s", offerFirst)
                    .isTrue();
            if (!offerFirst) {
                offered = fresh.server.offerChannel(relayed(1, 7));
            }
            assertThat(offered).isInstanceOf(OfferResult.Offered.class);
            assertThat(fresh.server.restoreChannel(offered.orThrow(), false).isClaimed())
                    .isTrue();
            assertThat(fresh.server.revokeUnclaimedChannels()).isEqualTo(Outcome.OK);
            // The guest releases the old id: the channel is offered again with the new device's monitor id.
            fresh.sendOk(GuestMessages.relIdReleased(1));
            final var offer = (io.jvmbus.protocol.message.ChannelMessage.OfferChannel)
                    fresh.messages().get(0);
            assertThat(offer.monitorId()).isEqualTo(7);
        }
    }

    @Test
    void shouldClaimAnOpenedChannelEvenWhenTheSavedQueueIsFull() {
        final ServerConfig config =
                ServerConfig.builder().maxChannels(4).maxQueuedMessages(24).build();
        final ServerHarness h = new ServerHarness(config);
        final OfferId a = h.offer(1);
        h.connectAndRequestOffers(ProtocolVersion.WIN10, 0);
        for (int g = 1; g <= 30; g++) {
            h.sendOk(GuestMessages.simpleGpadl(1, g));
        }
        h.sendOk(GuestMessages.openChannel(1, 1, 1, 0, 1));
        h.device();
        // The guest stops consuming (it is being paused for servicing): GPADL answers fill the host's share.
        h.pend = true;
        for (int g = 1; g <= 30 && h.gc(a, g, 0).isOk(); g++) {
            // fill
        }
        assertThat(h.oc(a, 0).errorKind()).isEqualTo(ErrorKind.QUEUE_FULL);
        final byte[] blob = h.server.save();

        final ServerHarness fresh = new ServerHarness(config);
        fresh.pend = true;
        assertThat(fresh.server.restore(blob).isRestored()).isTrue();
        final OfferId b = fresh.server
                .offerChannel(
                        OfferParams.builder(Guid.ofData1(1), Guid.ofData1(1)).build())
                .orThrow();
        // The device had opened the channel before the save: the claim owes the guest its OPEN_CHANNEL_RESULT.
        final ChannelClaim claim = fresh.server.restoreChannel(b, true);
        assertThat(claim.isClaimed()).as("%s", claim).isTrue();
        assertThat(fresh.server.revokeUnclaimedChannels()).isEqualTo(Outcome.OK);
        assertThat(fresh.server.queuedMessages()).isLessThanOrEqualTo(config.maxQueuedMessages());
        fresh.pend = false;
        assertThat(fresh.messages()).last().isEqualTo(new OpenResult(1, 1, 0));
    }
}
