package io.jvmbus.client;

import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage.OfferChannel;
import io.jvmbus.server.OfferId;
import io.jvmbus.server.OfferParams;
import io.jvmbus.server.ServerConfig;
import java.time.Duration;
import java.util.List;

/** A guest RAM file, an in-process host over it and a client: the usual set-up of the client tests. */
final class GuestFixture implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** 16 MiB of guest RAM. */
    static final int RAM_PAGES = 4096;

    final GuestRam ram;
    final InProcessHost host;
    final GuestClient client;

    GuestFixture(final ServerConfig config, final GuestOptions options) {
        ram = GuestRam.createTemp(RAM_PAGES);
        host = new InProcessHost(config, ram.file());
        client = new GuestClient(host, ram, options);
    }

    static GuestFixture linux() {
        return new GuestFixture(ServerConfig.defaults(), GuestOptions.linux());
    }

    static GuestFixture linuxAgainstCoreCappedAt(final ProtocolVersion max) {
        return new GuestFixture(ServerConfig.builder().maxVersion(max).build(), GuestOptions.linux());
    }

    static OfferParams device(final int n) {
        return OfferParams.builder(Guid.ofData1(0x1000 + n), Guid.ofData1(0x2000 + n))
                .build();
    }

    /** Offers {@code n} devices, connects, requests offers; returns the offers. */
    List<OfferChannel> connectWithDevices(final int n) {
        for (int i = 0; i < n; i++) {
            host.offer(device(i));
        }
        client.connect(TIMEOUT);
        return client.requestOffers(TIMEOUT);
    }

    OfferId offer(final int n) {
        return host.offer(device(n));
    }

    @Override
    public void close() {
        client.close();
        host.close();
        ram.close();
    }
}
