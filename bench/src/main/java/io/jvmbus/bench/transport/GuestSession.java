package io.jvmbus.bench.transport;

import io.jvmbus.client.GuestRam;
import io.jvmbus.client.GuestTransport;
import io.jvmbus.client.HvStatus;
import io.jvmbus.client.SocketGuestTransport;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.protocol.message.ChannelMessage;
import io.jvmbus.protocol.message.DecodeContext;
import io.jvmbus.protocol.message.DecodeResult;
import io.jvmbus.protocol.message.Direction;
import io.jvmbus.protocol.message.MessageCodec;
import io.jvmbus.testkit.wire.GuestMessages;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One VM session of the transport benchmark: a VMM and a guest in one, speaking the host transport frames through
 * {@link SocketGuestTransport} (POST_MESSAGE waits for its POST_RESULT; every DELIVER_MESSAGE is answered with
 * DELIVER_RESULT on the transport's reader thread as soon as it is queued here). It connects at VMBus 5.3 the way
 * Linux does (INITIATE_CONTACT to connection 4, then the server's message connection id), collects the offers, and
 * runs GPADL create/teardown cycles. Every answer is checked: a wrong message, a refused GPADL or a missing answer
 * within the timeout throws, so a broken cycle cannot be counted.
 *
 * <p>Not thread-safe: one thread drives a session.
 */
final class GuestSession implements AutoCloseable {

    /** The version the session asks for (Linux 6.1's first choice). */
    static final ProtocolVersion VERSION = ProtocolVersion.IRON;

    private static final int SYNIC_MESSAGE_TYPE = 1;
    private static final int CONTACT_CONNECTION_ID = 4;
    private static final int MAX_BUSY_RETRIES = 100_000;

    private final SocketGuestTransport transport;
    private final LinkedBlockingQueue<byte[]> inbox = new LinkedBlockingQueue<>();
    private final Duration timeout;
    private DecodeContext context = DecodeContext.DISCONNECTED;
    private int messageConnectionId = CONTACT_CONNECTION_ID;
    private final List<Integer> channelIds = new ArrayList<>();
    private int nextGpadlId;

    private GuestSession(final SocketGuestTransport transport, final Duration timeout, final int firstGpadlId) {
        this.transport = transport;
        this.timeout = timeout;
        this.nextGpadlId = firstGpadlId;
    }

    /**
     * Connects to the server (HELLO) without starting VMBus.
     *
     * @param socket the server's socket
     * @param ram the guest RAM (shared by every session of a run: GPADLs only name its pages)
     * @param name the VM name
     * @param timeout the longest wait for any answer
     * @param firstGpadlId the first GPADL id this session uses
     * @return the session
     */
    static GuestSession open(
            final Path socket, final GuestRam ram, final String name, final Duration timeout, final int firstGpadlId) {
        final SocketGuestTransport t = SocketGuestTransport.connect(socket, ram, 1, name, timeout);
        final GuestSession s = new GuestSession(t, timeout, firstGpadlId);
        t.attach(new GuestTransport.Listener() {
            @Override
            public void onMessage(final int vp, final int sint, final int messageType, final byte[] payload) {
                s.inbox.add(payload);
            }

            @Override
            public void onSignal(final int vp, final int sint, final int flag) {
                // no channel is opened: nothing to signal
            }
        });
        return s;
    }

    /**
     * INITIATE_CONTACT → VERSION_RESPONSE → REQUESTOFFERS → OFFERCHANNEL × n → ALLOFFERS_DELIVERED.
     *
     * @param expectedOffers how many offers must come before ALLOFFERS_DELIVERED
     * @return nanoseconds from posting INITIATE_CONTACT to taking ALLOFFERS_DELIVERED
     */
    long connect(final int expectedOffers) {
        final long start = System.nanoTime();
        post(CONTACT_CONNECTION_ID, GuestMessages.linuxInitiateContact(VERSION.code(), 0, 0, 2L * 4096, 3L * 4096));
        final ChannelMessage.VersionResponse v = take(ChannelMessage.VersionResponse.class);
        if (v.versionSupported() != 1) {
            throw new IllegalStateException("VERSION_RESPONSE versionSupported=0 for " + VERSION + " (expected: 1)");
        }
        messageConnectionId = v.selectedVersionOrConnectionId();
        context = DecodeContext.connected(VERSION, v.supportedFeatures());
        post(messageConnectionId, GuestMessages.requestOffers());
        while (true) {
            final ChannelMessage m = takeAny();
            if (m instanceof ChannelMessage.OfferChannel o) {
                channelIds.add(o.channelId());
            } else if (m instanceof ChannelMessage.AllOffersDelivered) {
                break;
            } else {
                throw new IllegalStateException("while collecting offers: " + m + " (expected: OFFERCHANNEL)");
            }
        }
        final long elapsed = System.nanoTime() - start;
        if (channelIds.size() != expectedOffers) {
            throw new IllegalStateException(
                    "offers=" + channelIds.size() + " before ALLOFFERS_DELIVERED (expected: " + expectedOffers + ")");
        }
        return elapsed;
    }

    /**
     * The channel ids offered, in offer order.
     *
     * @return the ids
     */
    List<Integer> channelIds() {
        return List.copyOf(channelIds);
    }

    /**
     * One cycle: GPADL_HEADER (one page) → POST_RESULT, GPADL_CREATED (status 0), GPADL_TEARDOWN → POST_RESULT,
     * GPADL_TORNDOWN. Two messages to the server and two back.
     *
     * @param channelId the channel owning the GPADL
     * @param pfn the page it describes
     */
    void gpadlCycle(final int channelId, final long pfn) {
        final int gpadl = nextGpadlId++;
        post(messageConnectionId, GuestMessages.gpadlHeader(channelId, gpadl, 16, 1, 4096L, pfn));
        final ChannelMessage.GpadlCreated created = take(ChannelMessage.GpadlCreated.class);
        if (created.gpadlId() != gpadl || created.channelId() != channelId || created.status() != 0) {
            throw new IllegalStateException(
                    "GPADL_CREATED " + created + " (expected: gpadl " + gpadl + " on " + channelId + ", status 0)");
        }
        post(messageConnectionId, GuestMessages.gpadlTeardown(channelId, gpadl));
        final ChannelMessage.GpadlTorndown torndown = take(ChannelMessage.GpadlTorndown.class);
        if (torndown.gpadlId() != gpadl) {
            throw new IllegalStateException("GPADL_TORNDOWN " + torndown + " (expected: gpadl " + gpadl + ")");
        }
    }

    private void post(final int connectionId, final byte[] message) {
        for (int i = 0; i < MAX_BUSY_RETRIES; i++) {
            final int status = transport.postMessage(connectionId, 0, SYNIC_MESSAGE_TYPE, message);
            if (status == HvStatus.SUCCESS) {
                return;
            }
            if (status != HvStatus.INSUFFICIENT_BUFFERS) {
                throw new IllegalStateException("POST_RESULT " + HvStatus.describe(status) + " for message type "
                        + message[0] + " (expected: SUCCESS)");
            }
            Thread.onSpinWait(); // the guest retries a post answered 19, as Linux does
        }
        throw new IllegalStateException("POST answered INSUFFICIENT_BUFFERS " + MAX_BUSY_RETRIES + " times");
    }

    private <T extends ChannelMessage> T take(final Class<T> type) {
        final ChannelMessage m = takeAny();
        if (!type.isInstance(m)) {
            throw new IllegalStateException("delivered " + m + " (expected: " + type.getSimpleName() + ")");
        }
        return type.cast(m);
    }

    private ChannelMessage takeAny() {
        final byte[] bytes;
        try {
            bytes = inbox.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for a message", e);
        }
        if (bytes == null) {
            throw new IllegalStateException("no message from the server within " + timeout);
        }
        return switch (MessageCodec.decode(bytes, Direction.HOST_TO_GUEST, context)) {
            case DecodeResult.Decoded d -> d.message();
            case DecodeResult.Failed f -> throw new IllegalStateException("undecodable delivery: " + f.error());
        };
    }

    @Override
    public void close() {
        transport.close();
    }
}
