package io.jvmbus.client;

import io.jvmbus.memory.ring.IncomingRing;
import io.jvmbus.memory.ring.OutgoingRing;
import io.jvmbus.memory.ring.PacketView;
import io.jvmbus.memory.ring.ReadStatus;
import io.jvmbus.memory.ring.RingPair;
import io.jvmbus.memory.ring.WriteStatus;
import io.jvmbus.protocol.message.ChannelMessage.OfferChannel;
import io.jvmbus.protocol.ring.PacketDescriptorLayout;
import io.jvmbus.protocol.ring.PacketType;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An open channel, seen from the guest: it writes packets into the guest&rarr;host ring and reads packets from the
 * host&rarr;guest ring ({@link RingPair#forGuest}), applying Linux's signalling rules: after a write it signals the
 * host only if the ring was empty and the host's {@code interrupt_mask} is 0; when the ring is full it sets
 * {@code pending_send_sz} and waits for the host's signal; after a read it signals the host only if that crossed the
 * host's {@code pending_send_sz}.
 *
 * <p>One thread may send while another receives; each direction is serialized by its own lock.
 */
public final class GuestChannel {

    /** A packet read from the host&rarr;guest ring (its payload copied out). */
    public record Packet(int type, int flags, long transactionId, byte[] payload) {

        /**
         * Whether the sender asked for a completion.
         *
         * @return the flag
         */
        public boolean completionRequested() {
            return (flags & PacketDescriptorLayout.FLAG_COMPLETION_REQUESTED) != 0;
        }
    }

    private final GuestClient client;
    private final OfferChannel offer;
    private final GuestGpadl ringGpadl;
    private final int connectionId;
    private final int signalFlag;
    private final boolean reserved;
    private final int sendRingPages;
    private final boolean inherited;
    private final OutgoingRing out;
    private final IncomingRing in;
    private final PacketView view = new PacketView();

    private final ReentrantLock sendLock = new ReentrantLock();
    private final ReentrantLock receiveLock = new ReentrantLock();
    private final ReentrantLock signalLock = new ReentrantLock();
    private final Condition signalled = signalLock.newCondition();
    private long hostSignals; // guarded by signalLock
    private volatile boolean closed;
    private final AtomicLong guestSignals = new AtomicLong();

    GuestChannel(
            final GuestClient client,
            final OfferChannel offer,
            final GuestGpadl ringGpadl,
            final RingPair rings,
            final int connectionId,
            final int signalFlag,
            final boolean reserved,
            final int sendRingPages,
            final boolean inherited) {
        this.client = client;
        this.offer = offer;
        this.ringGpadl = ringGpadl;
        this.connectionId = connectionId;
        this.signalFlag = signalFlag;
        this.reserved = reserved;
        this.sendRingPages = sendRingPages;
        this.inherited = inherited;
        this.out = rings.outgoing();
        this.in = rings.incoming();
    }

    /**
     * The channel id.
     *
     * @return child_relid
     */
    public int channelId() {
        return offer.channelId();
    }

    /**
     * The offer it was opened from.
     *
     * @return the offer
     */
    public OfferChannel offer() {
        return offer;
    }

    /**
     * The GPADL holding both rings.
     *
     * @return the ring GPADL
     */
    public GuestGpadl ringGpadl() {
        return ringGpadl;
    }

    /**
     * Whether it was opened with OPEN_RESERVED_CHANNEL.
     *
     * @return true for a reserved channel
     */
    public boolean isReserved() {
        return reserved;
    }

    /**
     * Whether this client took the channel over from another guest client that opened it (a reserved channel the
     * firmware left open for the OS), rather than opening it itself.
     *
     * @return true for an adopted channel
     */
    public boolean isInherited() {
        return inherited;
    }

    /**
     * The guest&rarr;host ring's pages, the first pages of the ring GPADL.
     *
     * @return the split of the ring GPADL
     */
    public int sendRingPages() {
        return sendRingPages;
    }

    /**
     * Whether it was closed (by the guest, or released after a rescind).
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * The largest in-band payload the host accepts in one packet.
     *
     * @return bytes
     */
    public int maxPayload() {
        return out.maxPayloadLength();
    }

    /**
     * Signals the guest sent the host (HvSignalEvent calls).
     *
     * @return the count
     */
    public long guestSignals() {
        return guestSignals.get();
    }

    /**
     * Interrupts the host raised for this channel.
     *
     * @return the count
     */
    public long hostSignals() {
        signalLock.lock();
        try {
            return hostSignals;
        } finally {
            signalLock.unlock();
        }
    }

    /**
     * Writes one in-band packet if it fits now.
     *
     * @param transactionId the transaction id
     * @param completionRequested whether to set the completion-requested flag
     * @param payload the payload
     * @return WRITTEN, FULL, TOO_LARGE or CORRUPT
     */
    public WriteStatus trySend(final long transactionId, final boolean completionRequested, final byte[] payload) {
        return trySendPacket(
                PacketType.DATA_INBAND.code(),
                completionRequested ? PacketDescriptorLayout.FLAG_COMPLETION_REQUESTED : 0,
                transactionId,
                payload);
    }

    /**
     * Writes one packet of any type with the payload right after the descriptor, if it fits now; signals the host per
     * the writer rule.
     *
     * @param type the packet type code
     * @param flags descriptor flags
     * @param transactionId the transaction id
     * @param payload the payload
     * @return WRITTEN, FULL, TOO_LARGE or CORRUPT
     */
    public WriteStatus trySendPacket(final int type, final int flags, final long transactionId, final byte[] payload) {
        checkOpen();
        sendLock.lock();
        try {
            final WriteStatus status =
                    out.tryWrite(type, flags, transactionId, MemorySegment.ofArray(payload), 0, payload.length);
            if (status == WriteStatus.WRITTEN && out.commitWrite()) {
                signalHost();
            }
            return status;
        } finally {
            sendLock.unlock();
        }
    }

    /**
     * Writes one in-band packet, waiting for ring space (pending_send_sz and the host's signal) up to {@code timeout}.
     *
     * @param transactionId the transaction id
     * @param completionRequested whether to set the completion-requested flag
     * @param payload the payload
     * @param timeout the longest wait for space
     * @throws GuestException TIMEOUT if no space came, RING if the packet is too large or the ring corrupt
     */
    public void send(
            final long transactionId, final boolean completionRequested, final byte[] payload, final Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        final int flags = completionRequested ? PacketDescriptorLayout.FLAG_COMPLETION_REQUESTED : 0;
        while (true) {
            final long seen = hostSignals();
            final WriteStatus status = trySendPacket(PacketType.DATA_INBAND.code(), flags, transactionId, payload);
            switch (status) {
                case WRITTEN -> {
                    return;
                }
                case TOO_LARGE ->
                    throw new GuestException(
                            GuestException.Kind.RING,
                            "payload length=" + payload.length + " (expected: <= " + maxPayload() + ")");
                case CORRUPT -> throw new GuestException(GuestException.Kind.RING, "send ring: " + out.corruption());
                case FULL -> {
                    final boolean space;
                    sendLock.lock();
                    try {
                        space = out.requestSpace((int) OutgoingRing.packetLength(0, payload.length));
                    } finally {
                        sendLock.unlock();
                    }
                    if (!space) {
                        awaitSignal(seen, deadline, "space for a " + payload.length + "-byte packet");
                    }
                }
            }
        }
    }

    /**
     * Reads the next packet if one is there; signals the host if the read crossed its pending_send_sz.
     *
     * @return the packet, or null if the ring is empty
     * @throws GuestException RING if the ring is corrupt
     */
    public Packet tryReceive() {
        receiveLock.lock();
        try {
            final ReadStatus status = in.poll(view);
            switch (status) {
                case EMPTY -> {
                    return null;
                }
                case CORRUPT -> throw new GuestException(GuestException.Kind.RING, "receive ring: " + in.corruption());
                default -> {
                    final byte[] payload = new byte[view.payloadLength()];
                    view.copyPayloadTo(MemorySegment.ofArray(payload), 0);
                    final Packet p = new Packet(view.type(), view.flags(), view.transactionId(), payload);
                    if (in.commitRead()) {
                        signalHost();
                    }
                    return p;
                }
            }
        } finally {
            receiveLock.unlock();
        }
    }

    /**
     * Reads the next packet, waiting for the host's signal up to {@code timeout}. The host raises no interrupts for a
     * reserved channel: poll it with {@link #tryReceive()} instead. A packet's payload length is a multiple of 8 (the
     * descriptor counts 8-byte units), so a payload comes back padded with the sender's zero padding.
     *
     * @param timeout the longest wait
     * @return the packet
     * @throws GuestException TIMEOUT if none came, RING if the ring is corrupt
     */
    public Packet receive(final Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            final long seen = hostSignals();
            final Packet p = tryReceive();
            if (p != null) {
                return p;
            }
            awaitSignal(seen, deadline, "a packet from the host");
        }
    }

    /** Called by the client when the host signals this channel's event flag. */
    void onHostSignal() {
        signalLock.lock();
        try {
            hostSignals++;
            signalled.signalAll();
        } finally {
            signalLock.unlock();
        }
    }

    void markClosed() {
        closed = true;
        onHostSignal(); // wake waiters so they see the close
    }

    int signalFlag() {
        return signalFlag;
    }

    private void signalHost() {
        guestSignals.incrementAndGet();
        client.transport().signalEvent(connectionId, signalFlag);
    }

    private void checkOpen() {
        if (closed) {
            throw new GuestException(GuestException.Kind.INVALID_STATE, "channel " + channelId() + " is closed");
        }
    }

    private void awaitSignal(final long seen, final long deadline, final String what) {
        signalLock.lock();
        try {
            while (hostSignals == seen) {
                checkOpen();
                final long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new GuestException(
                            GuestException.Kind.TIMEOUT, "channel " + channelId() + ": no signal for " + what);
                }
                signalled.await(left, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GuestException(GuestException.Kind.TIMEOUT, "interrupted waiting for " + what, e);
        } finally {
            signalLock.unlock();
        }
    }
}
