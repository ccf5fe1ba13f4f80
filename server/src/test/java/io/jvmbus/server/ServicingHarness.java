package io.jvmbus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.protocol.Guid;

/** Servicing steps on top of {@link ServerHarness}: a fresh server with OFF(1..n), restore, claims. */
final class ServicingHarness {

    private ServicingHarness() {}

    /** A fresh server (same configuration) with OFF(1..n) offered: the new process before restore. */
    static ServerHarness freshWithOffers(final ServerConfig config, final OfferId[] offers, final int n) {
        final ServerHarness r = new ServerHarness(config);
        for (int i = 1; i <= n; i++) {
            offers[i] = r.offer(i);
        }
        return r;
    }

    /** Restores and asserts it worked. */
    static RestoreResult.Restored restore(final ServerHarness r, final byte[] blob) {
        final RestoreResult result = r.pump(r.server.restore(blob));
        assertThat(result).isInstanceOf(RestoreResult.Restored.class);
        return (RestoreResult.Restored) result;
    }

    /** Claims and asserts it worked. */
    static ChannelClaim.Claimed claim(final ServerHarness r, final OfferId offer, final boolean open) {
        final ChannelClaim c = r.pump(r.server.restoreChannel(offer, open));
        assertThat(c).isInstanceOf(ChannelClaim.Claimed.class);
        return (ChannelClaim.Claimed) c;
    }

    static void finish(final ServerHarness r) {
        assertThat(r.pump(r.server.revokeUnclaimedChannels())).isEqualTo(Outcome.OK);
    }

    static OfferParams off(final int n) {
        return OfferParams.builder(Guid.ofData1(n), Guid.ofData1(n)).build();
    }
}
