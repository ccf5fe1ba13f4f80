package io.jvmbus.cli.demo;

import io.jvmbus.client.GuestClient;
import io.jvmbus.client.GuestTransport;
import io.jvmbus.protocol.ConnectionIds;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.DecodeContext;
import io.jvmbus.protocol.message.DecodeResult;
import io.jvmbus.protocol.message.Direction;
import io.jvmbus.protocol.message.MessageCodec;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A guest transport that counts every channel message in both directions and, with {@code --verbose}, prints each one
 * decoded by the protocol codec ({@code ->} guest to host, {@code <-} host to guest). The messages themselves pass
 * through unchanged.
 */
final class TracingTransport implements GuestTransport {

    /** Every feature flag the codec knows, for messages decoded while the guest has no connection. */
    private static final DecodeContext WIDEST = DecodeContext.connected(ProtocolVersion.COPPER, 0x7f);

    private final GuestTransport delegate;
    private final Timeline timeline;
    private final String vm;
    private final AtomicLong sent;
    private final AtomicLong received;
    private volatile String actor;
    private volatile GuestClient client;

    TracingTransport(
            final GuestTransport delegate,
            final Timeline timeline,
            final String vm,
            final String actor,
            final AtomicLong sent,
            final AtomicLong received) {
        this.delegate = delegate;
        this.timeline = timeline;
        this.vm = vm;
        this.actor = actor;
        this.sent = sent;
        this.received = received;
    }

    /** The client whose connection gives the decode context. */
    void client(final GuestClient c) {
        this.client = c;
    }

    /** The actor the verbose lines name. */
    void actor(final String name) {
        this.actor = name;
    }

    @Override
    public void attach(final Listener listener) {
        delegate.attach(new Listener() {
            @Override
            public void onMessage(final int vp, final int sint, final int messageType, final byte[] payload) {
                received.incrementAndGet();
                if (timeline.verbose()) {
                    trace("<-", Direction.HOST_TO_GUEST, messageType, payload, "vp " + vp + " sint " + sint);
                }
                listener.onMessage(vp, sint, messageType, payload);
            }

            @Override
            public void onSignal(final int vp, final int sint, final int flag) {
                listener.onSignal(vp, sint, flag);
            }
        });
    }

    @Override
    public int postMessage(final int connectionId, final int vp, final int messageType, final byte[] payload) {
        sent.incrementAndGet();
        if (timeline.verbose()) {
            trace("->", Direction.GUEST_TO_HOST, messageType, payload, "connection " + connectionId);
        }
        return delegate.postMessage(connectionId, vp, messageType, payload);
    }

    @Override
    public void signalEvent(final int connectionId, final int flag) {
        delegate.signalEvent(connectionId, flag);
    }

    @Override
    public void close() {
        delegate.close();
    }

    private void trace(
            final String arrow,
            final Direction direction,
            final int messageType,
            final byte[] payload,
            final String where) {
        if (messageType != ConnectionIds.VMBUS_MESSAGE_TYPE) {
            timeline.detail(
                    vm, actor, arrow + " SynIC message type " + messageType + " (" + payload.length + " bytes)");
            return;
        }
        // Decoded as its receiver decodes it; a message the guest's current connection does not gate in (one that
        // races a connection change) is decoded once more with every gate open.
        DecodeResult r = MessageCodec.decode(payload, direction, context());
        if (r instanceof DecodeResult.Failed) {
            r = MessageCodec.decode(payload, direction, WIDEST);
        }
        final String text = switch (r) {
            case DecodeResult.Decoded d -> d.message().toString();
            case DecodeResult.Failed f ->
                "undecodable (" + f.error().describe() + "): " + HexFormat.of().formatHex(payload);
        };
        timeline.detail(vm, actor, arrow + " " + text + "  [" + where + "]");
    }

    private DecodeContext context() {
        final GuestClient c = client;
        final GuestClient.Connection conn = c == null ? null : c.connection();
        if (conn == null) {
            return DecodeContext.DISCONNECTED;
        }
        return DecodeContext.connected(
                conn.version(), conn.version().atLeast(ProtocolVersion.COPPER) ? conn.featureFlags() : 0);
    }
}
