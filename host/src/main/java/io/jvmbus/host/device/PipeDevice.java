package io.jvmbus.host.device;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvmbus.memory.ring.IncomingRing;
import io.jvmbus.memory.ring.OutgoingRing;
import io.jvmbus.memory.ring.PacketView;
import io.jvmbus.memory.ring.ReadStatus;
import io.jvmbus.memory.ring.RingPair;
import io.jvmbus.protocol.ring.PacketType;
import io.jvmbus.protocol.ring.PipePacketLayout;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code pipe} device: a byte stream between the channel's rings and a host endpoint that this device listens on
 * for as long as the offer lives (not the guest's connection). A debugger on the host connects to the endpoint; a
 * debug stub in the guest opens the channel (typically as a reserved channel).
 *
 * <p><b>Wire format</b> (Hyper-V's pipe mode, as Linux's {@code hv_sock} uses it): every in-band packet's payload is
 * an 8-byte pipe header {@code {u32 pkt_type = 1 (bytes), u32 data_size}} followed by {@code data_size} bytes of the
 * stream; the rest of the payload is padding. Packets of other types, or with a malformed header, are consumed and
 * counted, and their bytes are not part of the stream.
 *
 * <p><b>No byte is dropped, buffering is bounded.</b> Socket to guest: a reader thread takes at most {@value
 * #SOCKET_TO_GUEST_LIMIT} bytes the rings have not taken yet (then it stops reading, and TCP's or the Unix socket's
 * own flow control holds the debugger back); the bytes wait, in order, while the guest is not connected or its ring
 * is full ({@code pending_send_sz} set; the guest's signal resumes). Guest to socket: the device stops reading the
 * guest's ring while {@value #GUEST_TO_SOCKET_LIMIT} bytes wait for the socket (or for a debugger to connect), so the
 * guest's own ring holds it back. Bytes read from a socket that then disconnects still go to the guest; bytes for
 * the socket that a disconnecting debugger did not take go to the next one. One debugger at a time: a second
 * connection is closed at once.
 *
 * <p><b>Threads.</b> The acceptor, and per connection a reader and a writer, are virtual threads; they touch no ring
 * and no device state, and hand their work to the session's worker through {@link ChannelPort#execute}. Everything
 * else runs on the worker.
 */
public final class PipeDevice extends RingDevice {

    /** The most stream bytes in one packet to the guest. */
    public static final int MAX_CHUNK = 4096;
    /** Bytes read from the socket that the guest's ring has not taken yet, at most. */
    public static final int SOCKET_TO_GUEST_LIMIT = 64 << 10;
    /** Bytes read from the guest's ring that the socket has not taken yet, before the device stops reading. */
    public static final int GUEST_TO_SOCKET_LIMIT = 64 << 10;

    private static final int IN_BAND = PacketType.DATA_INBAND.code();
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final PipeEndpoint endpoint;
    /** The bound endpoint; {@code null} between a SAVE and the next frame of the same session. */
    private PipeEndpoint.Listener listener;

    private Thread acceptor;

    // ---- worker-confined ----
    private final PacketView view = new PacketView();
    private final ArrayDeque<byte[]> toGuest = new ArrayDeque<>();
    private final byte[] packet = new byte[PipePacketLayout.HEADER_BYTES + MAX_CHUNK];
    private int toGuestHeadOffset;
    private long toGuestQueued;
    private boolean closed;
    private Peer peer;
    private long bytesToGuest;
    private long bytesFromGuest;
    private long packetsToGuest;
    private long packetsFromGuest;
    private long malformed;
    private long connections;
    private long refusedConnections;
    private long fullWaits;
    /** Restored bytes at the head of {@link #toGuest} that took no budget (so give none back). */
    private int toGuestUnbudgeted;

    // ---- shared with the socket threads ----
    private final Semaphore socketToGuestBudget = new Semaphore(SOCKET_TO_GUEST_LIMIT);
    private final LinkedBlockingDeque<byte[]> toSocket = new LinkedBlockingDeque<>();
    private final AtomicLong toSocketBytes = new AtomicLong();
    private final AtomicBoolean stalledOnSocket = new AtomicBoolean();
    private final AtomicBoolean shut = new AtomicBoolean();
    /** Chunks the reader took from the socket, in order, for the worker. */
    private final ConcurrentLinkedQueue<byte[]> fromSocket = new ConcurrentLinkedQueue<>();

    /** One debugger connection and its two threads. */
    private static final class Peer {
        final SocketChannel channel;
        Thread reader;
        Thread writer;

        Peer(final SocketChannel channel) {
            this.channel = channel;
        }
    }

    /**
     * A pipe device: parses the port's endpoint and starts listening on it.
     *
     * @param port the channel
     * @throws IllegalArgumentException if the endpoint is missing, malformed or cannot be bound
     */
    public PipeDevice(final ChannelPort port) {
        super(port);
        final String text = port.endpoint()
                .orElseThrow(() -> new IllegalArgumentException(
                        "endpoint missing (expected: unix:PATH or tcp:HOST:PORT for a pipe device)"));
        endpoint = PipeEndpoint.parse(text);
        try {
            listen();
        } catch (final IOException e) {
            throw new IllegalArgumentException("endpoint '" + text + "' cannot be bound: " + e.getMessage(), e);
        }
    }

    private void listen() throws IOException {
        final PipeEndpoint.Listener l = endpoint.bind();
        listener = l;
        acceptor = Thread.ofVirtual().name("pipe-" + port.name() + "-acceptor").start(() -> acceptLoop(l));
    }

    /**
     * Where the device listens.
     *
     * @return {@code unix:PATH} or {@code tcp:HOST:PORT} (the real port)
     */
    public String boundEndpoint() {
        final PipeEndpoint.Listener l = listener;
        return l == null ? "(released by SAVE)" : l.describe();
    }

    // ---- socket threads ------------------------------------------------------------------------------------------

    private void acceptLoop(final PipeEndpoint.Listener l) {
        while (!shut.get()) {
            final SocketChannel c;
            try {
                c = l.channel().accept();
            } catch (final IOException e) {
                if (!shut.get() && listener == l) {
                    port.execute(() -> port.warn("pipe endpoint stopped accepting: " + e.getMessage()));
                }
                return;
            }
            port.execute(() -> attach(c));
        }
    }

    private void readLoop(final Peer p) {
        final ByteBuffer buf = ByteBuffer.allocate(MAX_CHUNK);
        String reason = "the debugger closed the connection";
        try {
            while (true) {
                buf.clear();
                final int n = p.channel.read(buf);
                if (n < 0) {
                    break;
                }
                if (n == 0) {
                    continue;
                }
                socketToGuestBudget.acquire(n); // the bound: wait until the rings took earlier bytes
                fromSocket.add(Arrays.copyOf(buf.array(), n));
                port.execute(this::drainFromSocket);
            }
        } catch (final InterruptedException e) {
            reason = "stopped";
        } catch (final IOException e) {
            reason = "read failed: " + e.getMessage();
        }
        final String why = reason;
        port.execute(() -> detachPeer(p, why));
    }

    private void writeLoop(final Peer p) {
        String reason = "stopped";
        try {
            while (true) {
                final byte[] b = toSocket.takeFirst();
                final ByteBuffer bb = ByteBuffer.wrap(b);
                try {
                    while (bb.hasRemaining()) {
                        p.channel.write(bb);
                    }
                } catch (final IOException e) {
                    // the untaken rest goes first to the next debugger
                    toSocket.offerFirst(Arrays.copyOfRange(b, bb.position(), b.length));
                    toSocketBytes.addAndGet(-bb.position());
                    reason = "write failed: " + e.getMessage();
                    break;
                }
                final long left = toSocketBytes.addAndGet(-b.length);
                if (left < GUEST_TO_SOCKET_LIMIT && stalledOnSocket.compareAndSet(true, false)) {
                    port.execute(this::service);
                }
            }
        } catch (final InterruptedException e) {
            // detached
        }
        final String why = reason;
        port.execute(() -> detachPeer(p, why));
    }

    // ---- worker --------------------------------------------------------------------------------------------------

    private void attach(final SocketChannel c) {
        if (closed || peer != null) {
            if (!closed) {
                refusedConnections++;
                port.warn("pipe: a second debugger connection refused (one at a time)");
            }
            closeQuietly(c);
            return;
        }
        final Peer p = new Peer(c);
        peer = p;
        connections++;
        p.reader = Thread.ofVirtual().name("pipe-" + port.name() + "-reader").start(() -> readLoop(p));
        p.writer = Thread.ofVirtual().name("pipe-" + port.name() + "-writer").start(() -> writeLoop(p));
    }

    private void detachPeer(final Peer p, final String reason) {
        if (peer != p) {
            return;
        }
        peer = null;
        closeQuietly(p.channel);
        p.reader.interrupt();
        p.writer.interrupt();
        try {
            // the writer puts back what it did not write before the next debugger's writer starts; the reader's last
            // chunk is in fromSocket once it has stopped
            p.writer.join(Duration.ofSeconds(2));
            p.reader.join(Duration.ofSeconds(2));
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!closed) {
            port.warn("pipe: debugger disconnected: " + reason);
        }
    }

    private void drainFromSocket() {
        if (closed) {
            return;
        }
        takeFromSocket();
        service();
    }

    private void takeFromSocket() {
        for (byte[] chunk = fromSocket.poll(); chunk != null; chunk = fromSocket.poll()) {
            toGuest.addLast(chunk);
            toGuestQueued += chunk.length;
        }
    }

    @Override
    protected String refuseRings(final RingPair candidate) {
        final int max = candidate.outgoing().maxPayloadLength();
        return max < PipePacketLayout.HEADER_BYTES + 8
                ? "host->guest ring holds no pipe packet (max payload " + max + ")"
                : null;
    }

    @Override
    public void onRevoked() {
        super.onRevoked();
        shutDown(); // the listener lives as long as the offer
    }

    /** Moves bytes both ways until nothing more can move now. */
    @Override
    protected void service() {
        final RingPair r = rings();
        if (r == null || closed) {
            return;
        }
        toGuest(r.outgoing());
        if (rings() == r) {
            fromGuest(r.incoming());
        }
    }

    private void toGuest(final OutgoingRing out) {
        final int maxChunk = Math.min(MAX_CHUNK, (out.maxPayloadLength() - PipePacketLayout.HEADER_BYTES) & ~7);
        final MemorySegment seg = MemorySegment.ofArray(packet);
        while (!toGuest.isEmpty()) {
            final byte[] head = toGuest.peekFirst();
            final int n = Math.min(head.length - toGuestHeadOffset, maxChunk);
            seg.set(U32, PipePacketLayout.TYPE_OFFSET, PipePacketLayout.TYPE_DATA);
            seg.set(U32, PipePacketLayout.DATA_SIZE_OFFSET, n);
            System.arraycopy(head, toGuestHeadOffset, packet, PipePacketLayout.HEADER_BYTES, n);
            switch (out.tryWrite(IN_BAND, 0, 0, seg, 0, PipePacketLayout.HEADER_BYTES + n)) {
                case WRITTEN -> {
                    packetsToGuest++;
                    bytesToGuest += n;
                    toGuestQueued -= n;
                    toGuestHeadOffset += n;
                    if (toGuestHeadOffset == head.length) {
                        toGuest.pollFirst();
                        toGuestHeadOffset = 0;
                    }
                    final int unbudgeted = Math.min(n, toGuestUnbudgeted);
                    toGuestUnbudgeted -= unbudgeted;
                    if (n > unbudgeted) {
                        socketToGuestBudget.release(n - unbudgeted);
                    }
                }
                case FULL -> {
                    if (out.commitWrite()) {
                        signal();
                    }
                    if (!out.requestSpace((int) OutgoingRing.packetLength(0, PipePacketLayout.HEADER_BYTES + n))) {
                        fullWaits++;
                        return; // the guest's signal brings us back
                    }
                }
                case TOO_LARGE, CORRUPT -> {
                    port.warn("host->guest ring refused pipe bytes, channel stopped: "
                            + (out.corruption() == null ? "too large" : out.corruption()));
                    detachRings();
                    return;
                }
            }
        }
        if (out.commitWrite()) {
            signal();
        }
    }

    private void fromGuest(final IncomingRing in) {
        final RingPair r = rings();
        while (rings() == r) {
            if (toSocketBytes.get() >= GUEST_TO_SOCKET_LIMIT) {
                stalledOnSocket.set(true);
                if (toSocketBytes.get() >= GUEST_TO_SOCKET_LIMIT) {
                    break; // the writer's progress brings us back
                }
                stalledOnSocket.set(false);
            }
            final ReadStatus status = in.poll(view);
            if (status == ReadStatus.CORRUPT) {
                port.warn("guest->host ring corrupt, channel stopped: " + in.corruption());
                detachRings();
                return;
            }
            if (status == ReadStatus.EMPTY) {
                if (in.commitRead()) {
                    signal();
                }
                if (!in.hasPackets()) {
                    return;
                }
                continue;
            }
            takeFromGuest();
        }
        if (rings() == r && in.commitRead()) {
            signal();
        }
    }

    /** The packet in {@link #view}: its stream bytes go to the socket queue. */
    private void takeFromGuest() {
        packetsFromGuest++;
        final int payload = view.payloadLength();
        if (view.type() != IN_BAND || payload < PipePacketLayout.HEADER_BYTES) {
            malformed("packet type " + view.type() + ", payload " + payload + " (expected: in-band, >= 8 bytes)");
            return;
        }
        final int type = view.getInt(view.dataOffset() + PipePacketLayout.TYPE_OFFSET);
        final int size = view.getInt(view.dataOffset() + PipePacketLayout.DATA_SIZE_OFFSET);
        if (type != PipePacketLayout.TYPE_DATA || size < 0 || size > payload - PipePacketLayout.HEADER_BYTES) {
            malformed("pipe header type=" + Integer.toUnsignedString(type) + " data_size="
                    + Integer.toUnsignedString(size) + " (expected: type 1, data_size <= "
                    + (payload - PipePacketLayout.HEADER_BYTES) + ")");
            return;
        }
        if (size == 0) {
            return;
        }
        final byte[] bytes = new byte[size];
        view.copyTo(view.dataOffset() + PipePacketLayout.HEADER_BYTES, MemorySegment.ofArray(bytes), 0, size);
        bytesFromGuest += size;
        toSocketBytes.addAndGet(size);
        toSocket.addLast(bytes);
    }

    private void malformed(final String what) {
        if (malformed++ == 0) {
            port.warn("pipe: packet dropped (further ones only counted): " + what);
        }
    }

    @Override
    public void inspect(final ObjectNode into) {
        final ObjectNode j = into.putObject("pipe");
        j.put("endpoint", boundEndpoint());
        j.put("open", rings() != null);
        j.put("mapped_gpadls", mappedGpadls());
        j.put("debugger_connected", peer != null);
        j.put("connections", connections);
        j.put("refused_connections", refusedConnections);
        j.put("bytes_to_guest", bytesToGuest);
        j.put("bytes_from_guest", bytesFromGuest);
        j.put("packets_to_guest", packetsToGuest);
        j.put("packets_from_guest", packetsFromGuest);
        j.put("malformed", malformed);
        j.put("queued_to_guest", toGuestQueued);
        j.put("queued_to_host", toSocketBytes.get());
        j.put("full_waits", fullWaits);
        j.put("signals", signals());
    }

    /** The version of {@link #saveState()}'s format. */
    public static final int STATE_VERSION = 1;

    /** The most bytes a restored state may hold for the socket: the buffer's limit plus one ring's worth. */
    static final int MAX_RESTORED_TO_HOST = GUEST_TO_SOCKET_LIMIT + (16 << 20);

    /**
     * SAVE: the endpoint is released and the debugger disconnected first, so that no byte reaches this process after
     * the state is taken (the new process binds the endpoint again, and the debugger reconnects there). Then the bytes
     * waiting either way are written out exactly: {@code u32 version, u32 toGuestLength, bytes, u32 toHostLength,
     * bytes} (little-endian). The device keeps the bytes; if the same session goes on, {@link #afterSave()} binds the
     * endpoint again.
     */
    @Override
    public byte[] saveState() {
        releaseEndpoint();
        final Peer p = peer;
        if (p != null) {
            detachPeer(p, "SAVE (the endpoint moves with the saved state)");
        }
        takeFromSocket();
        final ByteArrayOutputStream toG = new ByteArrayOutputStream();
        boolean first = true;
        for (final byte[] b : toGuest) {
            final int from = first ? toGuestHeadOffset : 0;
            toG.write(b, from, b.length - from);
            first = false;
        }
        final ByteArrayOutputStream toH = new ByteArrayOutputStream();
        for (final byte[] b : toSocket) {
            toH.writeBytes(b);
        }
        final ByteBuffer out = ByteBuffer.allocate(12 + toG.size() + toH.size()).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(STATE_VERSION).putInt(toG.size()).put(toG.toByteArray()).putInt(toH.size());
        out.put(toH.toByteArray());
        return out.array();
    }

    private void releaseEndpoint() {
        final PipeEndpoint.Listener l = listener;
        if (l != null) {
            listener = null;
            l.close();
            acceptor.interrupt();
            // A channel closed while a virtual thread is blocked in accept() keeps its socket until that thread
            // leaves accept(): wait for it, so the endpoint refuses connections once this returns.
            try {
                acceptor.join(Duration.ofSeconds(2));
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The same session goes on after SAVE: listen on the endpoint again. */
    @Override
    public void afterSave() {
        if (listener != null || closed || shut.get()) {
            return;
        }
        try {
            listen();
        } catch (final IOException e) {
            port.warn("pipe: endpoint " + endpoint + " cannot be bound again after SAVE: " + e.getMessage());
        }
    }

    @Override
    public Runnable prepareRestore(final byte[] state) {
        final ByteBuffer in = ByteBuffer.wrap(state).order(ByteOrder.LITTLE_ENDIAN);
        if (in.remaining() < 12) {
            throw new IllegalArgumentException("pipe state of " + state.length + " bytes (expected: >= 12)");
        }
        final int version = in.getInt();
        if (version != STATE_VERSION) {
            throw new IllegalArgumentException(
                    "pipe state version " + Integer.toUnsignedString(version) + " (expected: " + STATE_VERSION + ")");
        }
        final int toG = in.getInt();
        if (toG < 0 || toG > SOCKET_TO_GUEST_LIMIT || in.remaining() < (long) toG + 4) {
            throw new IllegalArgumentException("pipe state to-guest length " + Integer.toUnsignedString(toG)
                    + " (expected: <= " + SOCKET_TO_GUEST_LIMIT + " and within the " + state.length + "-byte state)");
        }
        final byte[] g = new byte[toG];
        in.get(g);
        final int toH = in.getInt();
        if (toH < 0 || toH > MAX_RESTORED_TO_HOST || in.remaining() != toH) {
            throw new IllegalArgumentException("pipe state to-host length " + Integer.toUnsignedString(toH)
                    + " (expected: <= " + MAX_RESTORED_TO_HOST + " and exactly the rest of the state)");
        }
        final byte[] h = new byte[toH];
        in.get(h);
        return () -> {
            // older than anything a debugger of this process sent: first in line, outside the budget
            if (toG > 0) {
                // nothing went to the guest before RESTORE (no rings), so no partly sent chunk is at the head
                takeFromSocket();
                toGuest.addFirst(g);
                toGuestQueued += toG;
                toGuestUnbudgeted += toG;
            }
            if (toH > 0) {
                toSocketBytes.addAndGet(toH);
                toSocket.addFirst(h);
            }
        };
    }

    private void shutDown() {
        if (shut.getAndSet(true)) {
            return;
        }
        releaseEndpoint();
        final Peer p = peer;
        if (p != null) {
            detachPeer(p, "the channel is gone");
        }
    }

    @Override
    public void close() {
        super.close();
        closed = true;
        shutDown();
    }

    private static void closeQuietly(final SocketChannel c) {
        try {
            c.close();
        } catch (final IOException ignored) {
            // nothing more to release
        }
    }
}
