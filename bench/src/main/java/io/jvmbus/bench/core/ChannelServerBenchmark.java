package io.jvmbus.bench.core;

import io.jvmbus.protocol.ConnectionIds;
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
import io.jvmbus.server.Outcome;
import io.jvmbus.server.OutgoingMessage;
import io.jvmbus.server.ServerConfig;
import io.jvmbus.server.ServerEffects;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Control-plane cycles through one {@link ChannelServer} on a connected Copper guest with one offered channel. Each
 * benchmark operation is one full cycle, with the guest's messages as raw bytes, the device answering at once and
 * every message to the guest delivered:
 *
 * <ul>
 *   <li>{@link #gpadlCreateTeardown}: GPADL_HEADER (one page, complete) → device create → GPADL_CREATED →
 *       GPADL_TEARDOWN → device teardown → GPADL_TORNDOWN: 4 messages (2 in, 2 out);
 *   <li>{@link #linuxGpadl64}: a 64-page GPADL the way Linux sends it (header with 26 PFNs and 2 bodies) → created →
 *       torn down: 6 messages (4 in, 2 out);
 *   <li>{@link #openClose}: OPEN_CHANNEL → device open → OPEN_CHANNEL_RESULT → CLOSE_CHANNEL → device close: 3
 *       messages (2 in, 1 out).
 * </ul>
 *
 * Messages per second = operations per second × messages per operation.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class ChannelServerBenchmark {

    /** Remembers device requests so the benchmark can answer them, like a host's device table would. */
    private static final class Effects implements ServerEffects {
        final ArrayDeque<ModifyConnectionRequest> relay = new ArrayDeque<>();
        int requests;

        @Override
        public void deviceRequest(final OfferId offer, final DeviceRequest request) {
            requests++;
        }

        @Override
        public void modifyConnection(final ModifyConnectionRequest request) {
            relay.add(request);
        }

        @Override
        public void hvsockConnect(final HvsockConnectRequest request) {}

        @Override
        public void forwardInitiateContact(final InitiateContactRequest request) {}

        @Override
        public void unloadComplete() {}

        @Override
        public void resetComplete() {}
    }

    private ChannelServer server;
    private OfferId offer;
    private int channelId;
    private byte[] gpadlHeader;
    private byte[] gpadlTeardown;
    private byte[][] linuxGpadl;
    private byte[] linuxTeardown;
    private byte[] open;
    private byte[] close;

    /** Connects a Copper guest and offers one channel. */
    @Setup(Level.Trial)
    public void setup() {
        final Effects fx = new Effects();
        server = new ChannelServer(ServerConfig.defaults(), fx);
        offer = server.offerChannel(OfferParams.builder(Guid.ofData1(0x1234), Guid.ofData1(1))
                        .build())
                .orThrow();
        check(post(initiateContact(ProtocolVersion.COPPER.code())));
        check(server.completeModifyConnection(ModifyConnectionResult.acknowledge(fx.relay.removeFirst())));
        drain(null);
        check(post(header(3, 8)));
        drain(null);
        channelId = 1;
        gpadlHeader = gpadlHeader(channelId, 7, 16, 1, 1L, 0x1000L);
        gpadlTeardown = teardown(channelId, 7);
        final long[] pfns = new long[64];
        for (int i = 0; i < pfns.length; i++) {
            pfns[i] = 0x2000 + i;
        }
        linuxGpadl = linuxGpadl(channelId, 0xE1E10, pfns);
        linuxTeardown = teardown(channelId, 0xE1E10);
        open = openChannel(channelId, 1, 7, 0, 4);
        close = header(7, 12);
        ByteBuffer.wrap(close).order(ByteOrder.LITTLE_ENDIAN).putInt(8, channelId);
        // Run each cycle once, checked, so a benchmark that silently stopped doing its work fails here instead.
        final int before = fx.requests;
        check(post(gpadlHeader));
        check(server.completeGpadlCreate(offer, 7, 0));
        expectDelivered(1);
        check(post(gpadlTeardown));
        check(server.completeGpadlTeardown(offer, 7));
        expectDelivered(1);
        for (final byte[] part : linuxGpadl) {
            check(post(part));
        }
        check(server.completeGpadlCreate(offer, 0xE1E10, 0));
        expectDelivered(1);
        check(post(linuxTeardown));
        check(server.completeGpadlTeardown(offer, 0xE1E10));
        expectDelivered(1);
        check(post(open));
        check(server.completeOpen(offer, 0));
        expectDelivered(1);
        check(post(close));
        check(server.completeClose(offer));
        expectDelivered(0);
        if (fx.requests - before != 6) {
            throw new IllegalStateException("device requests=" + (fx.requests - before) + " (expected: 6)");
        }
    }

    private void expectDelivered(final int expected) {
        int n = 0;
        OutgoingMessage m;
        while ((m = server.peekOutgoing()) != null) {
            server.outgoingDelivered(m.sequence());
            n++;
        }
        if (n != expected) {
            throw new IllegalStateException("delivered=" + n + " (expected: " + expected + ")");
        }
    }

    /**
     * One GPADL create/teardown cycle: 4 messages.
     *
     * @param bh sink
     */
    @Benchmark
    public void gpadlCreateTeardown(final Blackhole bh) {
        post(gpadlHeader);
        bh.consume(server.completeGpadlCreate(offer, 7, 0));
        drain(bh);
        post(gpadlTeardown);
        bh.consume(server.completeGpadlTeardown(offer, 7));
        drain(bh);
    }

    /**
     * One Linux-shaped 64-page GPADL create/teardown cycle: 6 messages.
     *
     * @param bh sink
     */
    @Benchmark
    public void linuxGpadl64(final Blackhole bh) {
        for (final byte[] part : linuxGpadl) {
            post(part);
        }
        bh.consume(server.completeGpadlCreate(offer, 0xE1E10, 0));
        drain(bh);
        post(linuxTeardown);
        bh.consume(server.completeGpadlTeardown(offer, 0xE1E10));
        drain(bh);
    }

    /**
     * One open/close cycle: 3 messages.
     *
     * @param bh sink
     */
    @Benchmark
    public void openClose(final Blackhole bh) {
        post(open);
        bh.consume(server.completeOpen(offer, 0));
        drain(bh);
        post(close);
        bh.consume(server.completeClose(offer));
    }

    private Outcome post(final byte[] message) {
        return server.handleMessage(message, ConnectionIds.MESSAGE_CONNECTION_ID, 0, false);
    }

    private void drain(final Blackhole bh) {
        OutgoingMessage m;
        while ((m = server.peekOutgoing()) != null) {
            if (bh != null) {
                bh.consume(m.message());
            }
            server.outgoingDelivered(m.sequence());
        }
    }

    private static void check(final Outcome o) {
        if (!o.isOk()) {
            throw new IllegalStateException("benchmark setup step failed: " + o);
        }
    }

    // ---- raw guest messages (the benchmark does not depend on test code) ----------------------------------------

    private static byte[] header(final int type, final int size) {
        final ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, type);
        return b.array();
    }

    private static byte[] initiateContact(final int version) {
        final byte[] m = header(14, 40);
        final ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(8, version);
        b.putLong(16, 2); // target info: SINT 2, no feature flags
        return m;
    }

    private static byte[] gpadlHeader(
            final int channel, final int gpadl, final int len, final int count, final long... words) {
        final byte[] m = header(8, 20 + 8 * words.length);
        final ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(8, channel);
        b.putInt(12, gpadl);
        b.putShort(16, (short) len);
        b.putShort(18, (short) count);
        for (int i = 0; i < words.length; i++) {
            b.putLong(20 + 8 * i, words[i]);
        }
        return m;
    }

    private static byte[][] linuxGpadl(final int channel, final int gpadl, final long[] pfns) {
        final long[] first = new long[27];
        first[0] = (long) pfns.length * 4096;
        System.arraycopy(pfns, 0, first, 1, 26);
        final int bodies = (pfns.length - 26 + 27) / 28;
        final byte[][] out = new byte[1 + bodies][];
        out[0] = gpadlHeader(channel, gpadl, 8 + 8 * pfns.length, 1, first);
        for (int i = 0; i < bodies; i++) {
            final int from = 26 + 28 * i;
            final int n = Math.min(28, pfns.length - from);
            final byte[] m = header(9, 16 + 8 * n);
            final ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(12, gpadl);
            for (int j = 0; j < n; j++) {
                b.putLong(16 + 8 * j, pfns[from + j]);
            }
            out[1 + i] = m;
        }
        return out;
    }

    private static byte[] teardown(final int channel, final int gpadl) {
        final byte[] m = header(11, 16);
        final ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(8, channel);
        b.putInt(12, gpadl);
        return m;
    }

    private static byte[] openChannel(
            final int channel, final int openId, final int gpadl, final int vp, final int offset) {
        final byte[] m = header(5, 148);
        final ByteBuffer b = ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(8, channel);
        b.putInt(12, openId);
        b.putInt(16, gpadl);
        b.putInt(20, vp);
        b.putInt(24, offset);
        return m;
    }
}
