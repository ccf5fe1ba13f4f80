package io.jvmbus.bench.servicing;

import io.jvmbus.protocol.ConnectionIds;
import io.jvmbus.protocol.ConnectionState;
import io.jvmbus.protocol.Guid;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.server.ChannelServer;
import io.jvmbus.server.DeviceRequest;
import io.jvmbus.server.HvsockConnectRequest;
import io.jvmbus.server.InitiateContactRequest;
import io.jvmbus.server.ModifyConnectionRequest;
import io.jvmbus.server.ModifyConnectionResult;
import io.jvmbus.server.OfferId;
import io.jvmbus.server.OfferParams;
import io.jvmbus.server.OutgoingMessage;
import io.jvmbus.server.RestoreResult;
import io.jvmbus.server.ServerConfig;
import io.jvmbus.server.ServerEffects;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Save and restore time of the channel server core with {@link #channels} open channels of four accepted GPADLs
 * each, connected at Copper. {@code save} is {@link ChannelServer#save()} (model, protobuf, envelope);
 * {@code restore} is what the new process does: create the core, offer the devices, {@link ChannelServer#restore},
 * every device's claim, {@link ChannelServer#revokeUnclaimedChannels()}; {@code offerOnly} is the part of that a
 * server without servicing does too (create, offer), so restore minus offerOnly is the cost of restoring.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class SaveRestoreBenchmark {

    /** Open channels, each with four GPADLs. */
    @Param({"16", "256", "2000"})
    public int channels;

    private static final int GPADLS_PER_CHANNEL = 4;

    private static final ServerConfig CONFIG =
            ServerConfig.builder().maxGpadls(4 * 2047).build();

    private static final ServerEffects NO_EFFECTS = new ServerEffects() {
        @Override
        public void deviceRequest(final OfferId offer, final DeviceRequest request) {}

        @Override
        public void modifyConnection(final ModifyConnectionRequest request) {}

        @Override
        public void hvsockConnect(final HvsockConnectRequest request) {}

        @Override
        public void forwardInitiateContact(final InitiateContactRequest request) {}

        @Override
        public void unloadComplete() {}

        @Override
        public void resetComplete() {}
    };

    private ChannelServer saved;
    private byte[] blob;
    private OfferParams[] offers;

    /** Builds the server to save and its blob. */
    @Setup
    public void setUp() {
        offers = new OfferParams[channels];
        for (int i = 0; i < channels; i++) {
            offers[i] = OfferParams.builder(Guid.ofData1(0x1000 + i), Guid.ofData1(i + 1))
                    .interfaceName("bench-" + i)
                    .build();
        }
        final ChannelServer s = new ChannelServer(CONFIG, NO_EFFECTS);
        final OfferId[] handles = new OfferId[channels];
        for (int i = 0; i < channels; i++) {
            handles[i] = s.offerChannel(offers[i]).orThrow();
        }
        guest(s, message(14, 40, b -> b.putInt(8, ProtocolVersion.COPPER.code()).putLong(16, 2L << 8 | 2)));
        s.completeModifyConnection(new ModifyConnectionResult.Supported(ConnectionState.SUCCESSFUL, -1, null));
        guest(s, message(3, 8, b -> {}));
        // Offers go out in key order: channel ids 1..n follow the interface GUIDs.
        for (int i = 0; i < channels; i++) {
            final int id = i + 1;
            for (int g = 1; g <= GPADLS_PER_CHANNEL; g++) {
                final int gpadl = g;
                guest(
                        s,
                        message(
                                8,
                                36,
                                b -> b.putInt(8, id)
                                        .putInt(12, gpadl)
                                        .putShort(16, (short) 16)
                                        .putShort(18, (short) 1)
                                        .putLong(20, 1L | (long) gpadl << 32)
                                        .putLong(28, 0x1000L + id)));
                check(s.completeGpadlCreate(handles[i], gpadl, 0).isOk());
            }
            guest(s, message(5, 148, b -> b.putInt(8, id).putInt(12, id).putInt(16, 1)));
            check(s.completeOpen(handles[i], 0).isOk());
        }
        drain(s);
        saved = s;
        blob = s.save();
        check(restoreNow().isRestored());
    }

    private static ByteBuffer message(final int type, final int size, final java.util.function.Consumer<ByteBuffer> f) {
        final ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, type);
        f.accept(b);
        return b;
    }

    private static void guest(final ChannelServer s, final ByteBuffer message) {
        drain(s);
        check(s.handleMessage(message.array(), ConnectionIds.MESSAGE_CONNECTION_ID, 0, false)
                .isOk());
    }

    private static void drain(final ChannelServer s) {
        OutgoingMessage m;
        while ((m = s.peekOutgoing()) != null) {
            s.outgoingDelivered(m.sequence());
        }
    }

    private static void check(final boolean ok) {
        if (!ok) {
            throw new IllegalStateException("benchmark setup step refused");
        }
    }

    private RestoreResult restoreNow() {
        final ChannelServer r = new ChannelServer(CONFIG, NO_EFFECTS);
        final OfferId[] handles = new OfferId[channels];
        for (int i = 0; i < channels; i++) {
            handles[i] = r.offerChannel(offers[i]).orThrow();
        }
        final RestoreResult result = r.restore(blob);
        for (final OfferId h : handles) {
            r.restoreChannel(h, true);
        }
        r.revokeUnclaimedChannels();
        return result;
    }

    /**
     * Saves the whole core as a blob.
     *
     * @return the blob
     */
    @Benchmark
    public byte[] save() {
        return saved.save();
    }

    /**
     * The new process's side: create, offer, restore, claim, revoke unclaimed.
     *
     * @return the result
     */
    @Benchmark
    public RestoreResult restore() {
        return restoreNow();
    }

    /**
     * The baseline inside {@link #restore()}: create the core and offer the devices.
     *
     * @return the core
     */
    @Benchmark
    public ChannelServer offerOnly() {
        final ChannelServer r = new ChannelServer(CONFIG, NO_EFFECTS);
        for (int i = 0; i < channels; i++) {
            r.offerChannel(offers[i]);
        }
        return r;
    }
}
