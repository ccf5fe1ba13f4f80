package io.jvmbus.client;

import io.jvmbus.memory.GpadlView;
import io.jvmbus.memory.GuestMemory;
import io.jvmbus.memory.MemoryResult;
import io.jvmbus.memory.ring.IncomingRing;
import io.jvmbus.memory.ring.OutgoingRing;
import io.jvmbus.memory.ring.PacketView;
import io.jvmbus.memory.ring.ReadStatus;
import io.jvmbus.memory.ring.RingPair;
import io.jvmbus.memory.ring.WriteStatus;
import io.jvmbus.protocol.ConnectionIds;
import io.jvmbus.protocol.ConnectionState;
import io.jvmbus.protocol.GpaRange;
import io.jvmbus.protocol.NtStatus;
import io.jvmbus.protocol.message.MessageCodec;
import io.jvmbus.server.ChannelServer;
import io.jvmbus.server.DeviceRequest;
import io.jvmbus.server.HvsockConnectRequest;
import io.jvmbus.server.InitiateContactRequest;
import io.jvmbus.server.MessageTarget;
import io.jvmbus.server.ModifyConnectionRequest;
import io.jvmbus.server.ModifyConnectionResult;
import io.jvmbus.server.OfferId;
import io.jvmbus.server.OfferParams;
import io.jvmbus.server.OfferResult;
import io.jvmbus.server.OpenParams;
import io.jvmbus.server.Outcome;
import io.jvmbus.server.OutgoingMessage;
import io.jvmbus.server.ServerConfig;
import io.jvmbus.server.ServerEffects;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-process host for the client's tests: a real {@link ChannelServer} behind the {@link GuestTransport}
 * interface, playing hypervisor, VMM and devices. It maps the guest's RAM file itself (as {@code jvmbus serve} would),
 * answers every connection request, accepts every open, GPADL and modify (unless told to refuse opens), and runs an
 * echo device on every open channel over {@link RingPair#forHost}: each packet the guest writes comes back with the
 * same type, flags, transaction id and payload.
 *
 * <p>Posts run the server synchronously on the caller's thread and return the hypervisor status the transport would
 * (18 for an unknown connection id, 19 while a message waits for delivery). Host messages are delivered one at a time
 * on a delivery thread, like a SynIC message slot: the next only after the guest's handler returned (EOM).
 */
final class InProcessHost implements GuestTransport, ServerEffects {

    /** A message the guest posted, and the hypervisor status it got. */
    record Posted(int connectionId, int vp, byte[] bytes, int status) {}

    /** A message delivered to the guest. */
    record Delivered(int vp, int sint, byte[] bytes) {}

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ChannelServer server;
    private final GuestMemory memory;
    private final ArrayDeque<Runnable> pending = new ArrayDeque<>();
    private final Map<OfferId, Map<Integer, List<GpaRange>>> gpadls = new HashMap<>();
    private final Map<Integer, EchoChannel> byConnectionId = new HashMap<>();
    private final Map<OfferId, EchoChannel> byOffer = new HashMap<>();
    private final Map<OfferId, Integer> openStatus = new HashMap<>();
    private final List<Posted> posted = new ArrayList<>();
    private final List<Delivered> delivered = new ArrayList<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final Thread deliveryThread;
    private volatile Listener listener;
    private boolean paused;
    private boolean closed;
    private int busyRejections;

    InProcessHost(final ServerConfig config, final Path ramFile) {
        this.server = new ChannelServer(config, this);
        try {
            this.memory = GuestMemory.map(ramFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.deliveryThread = new Thread(this::deliveryLoop, "in-process-host-delivery");
        deliveryThread.setDaemon(true);
    }

    // ---- host actions (tests) -------------------------------------------------------------------------------------

    OfferId offer(final OfferParams params) {
        return withLock(() -> {
            final OfferResult r = server.offerChannel(params);
            settle();
            return r.orThrow();
        });
    }

    Outcome revoke(final OfferId offer) {
        return withLock(() -> {
            final Outcome o = server.revokeChannel(offer);
            settle();
            return o;
        });
    }

    /** Makes the device refuse the next opens of {@code offer} with {@code status}. */
    void refuseOpens(final OfferId offer, final int status) {
        withLock(() -> openStatus.put(offer, status));
    }

    /** Holds (true) or resumes (false) message delivery to the guest. */
    void pauseDelivery(final boolean pause) {
        withLock(() -> {
            paused = pause;
            work.signalAll();
            return null;
        });
    }

    /** Waits until a post was answered with 19 at least {@code count} times. */
    boolean awaitBusyRejections(final int count, final Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (busyRejections < count) {
                final long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                work.await(left, TimeUnit.NANOSECONDS);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Every post, retries of posts refused with 19 included. */
    List<Posted> allPosts() {
        return withLock(() -> List.copyOf(posted));
    }

    /** The posts the hypervisor did not refuse with 19 (what the guest sent, without its retries). */
    List<Posted> posted() {
        return withLock(() -> posted.stream()
                .filter(p -> p.status() != HvStatus.INSUFFICIENT_BUFFERS)
                .toList());
    }

    List<Delivered> delivered() {
        return withLock(() -> List.copyOf(delivered));
    }

    List<String> errors() {
        return List.copyOf(errors);
    }

    ChannelServer server() {
        return server;
    }

    /** Echo channels currently open (by the device's view). */
    int openEchoChannels() {
        return withLock(byOffer::size);
    }

    /** Whether the device holds a GPADL with this id for any channel. */
    boolean hasGpadl(final int gpadlId) {
        return withLock(() -> gpadls.values().stream().anyMatch(m -> m.containsKey(gpadlId)));
    }

    // ---- GuestTransport -------------------------------------------------------------------------------------------

    @Override
    public void attach(final Listener l) {
        this.listener = l;
        deliveryThread.start();
    }

    @Override
    public int postMessage(final int connectionId, final int vp, final int messageType, final byte[] payload) {
        return withLock(() -> {
            final int status = post(connectionId, vp, messageType, payload);
            posted.add(new Posted(connectionId, vp, payload.clone(), status));
            return status;
        });
    }

    private int post(final int connectionId, final int vp, final int messageType, final byte[] payload) {
        {
            if (payload.length > MessageCodec.MAX_MESSAGE_SIZE) {
                return HvStatus.INVALID_PARAMETER;
            }
            if (messageType != ConnectionIds.VMBUS_MESSAGE_TYPE) {
                return HvStatus.SUCCESS; // no VMBus port listens for other types; the hypervisor still accepts it
            }
            final Outcome o = server.handleMessage(payload, connectionId, vp, false);
            settle();
            if (o instanceof Outcome.Rejected r) {
                switch (r.error().kind()) {
                    case INVALID_CONNECTION_ID -> {
                        return HvStatus.INVALID_CONNECTION_ID;
                    }
                    case BUSY, QUEUE_FULL, RESETTING -> {
                        busyRejections++;
                        work.signalAll();
                        return HvStatus.INSUFFICIENT_BUFFERS;
                    }
                    default -> errors.add(r.error().toString());
                }
            }
            return HvStatus.SUCCESS;
        }
    }

    @Override
    public void signalEvent(final int connectionId, final int flag) {
        final EchoChannel echo = withLock(() -> byConnectionId.get(connectionId));
        if (echo != null) {
            echo.onGuestSignal();
        }
    }

    @Override
    public void close() {
        withLock(() -> {
            closed = true;
            work.signalAll();
            return null;
        });
        try {
            deliveryThread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        memory.close();
    }

    // ---- ServerEffects: queued, then completed after the server call returns (no re-entry) ----

    @Override
    public void deviceRequest(final OfferId offer, final DeviceRequest request) {
        pending.add(() -> device(offer, request));
    }

    @Override
    public void modifyConnection(final ModifyConnectionRequest request) {
        pending.add(() -> server.completeModifyConnection(
                request.isConnect()
                        ? new ModifyConnectionResult.Supported(ConnectionState.SUCCESSFUL, 0xFFFFFFFF, null)
                        : new ModifyConnectionResult.Modified(ConnectionState.SUCCESSFUL)));
    }

    @Override
    public void hvsockConnect(final HvsockConnectRequest request) {
        errors.add("unexpected hvsock request " + request);
    }

    @Override
    public void forwardInitiateContact(final InitiateContactRequest request) {
        errors.add("unexpected forwarded InitiateContact " + request);
    }

    @Override
    public void unloadComplete() {}

    @Override
    public void resetComplete() {}

    private void settle() {
        Runnable r;
        while ((r = pending.poll()) != null) {
            r.run();
        }
        work.signalAll();
    }

    private void device(final OfferId offer, final DeviceRequest request) {
        switch (request) {
            case DeviceRequest.CreateGpadl g -> {
                gpadls.computeIfAbsent(offer, k -> new HashMap<>()).put(g.gpadlId(), g.ranges());
                server.completeGpadlCreate(offer, g.gpadlId(), NtStatus.SUCCESS);
            }
            case DeviceRequest.TeardownGpadl t -> {
                final Map<Integer, List<GpaRange>> m = gpadls.get(offer);
                if (m != null) {
                    m.remove(t.gpadlId());
                }
                server.completeGpadlTeardown(offer, t.gpadlId());
            }
            case DeviceRequest.Open o -> server.completeOpen(offer, open(offer, o.params()));
            case DeviceRequest.Close c -> {
                final EchoChannel echo = byOffer.remove(offer);
                if (echo != null) {
                    byConnectionId.remove(echo.connectionId);
                    echo.close();
                }
                server.completeClose(offer);
            }
            case DeviceRequest.Modify m -> {
                final EchoChannel echo = byOffer.get(offer);
                if (echo != null) {
                    echo.targetVp = m.targetVp();
                }
                server.completeModifyChannel(offer, NtStatus.SUCCESS);
            }
        }
    }

    private int open(final OfferId offer, final OpenParams p) {
        final Integer refused = openStatus.get(offer);
        if (refused != null) {
            return refused;
        }
        final List<GpaRange> ranges = gpadls.getOrDefault(offer, Map.of()).get(p.ringBufferGpadlId());
        if (ranges == null) {
            errors.add("open with unknown ring gpadl " + p.ringBufferGpadlId());
            return NtStatus.UNSUCCESSFUL;
        }
        final MemoryResult<GpadlView> view = GpadlView.of(memory, ranges);
        if (view instanceof MemoryResult.Failed<GpadlView> f) {
            errors.add("ring gpadl: " + f.error());
            return NtStatus.UNSUCCESSFUL;
        }
        final MemoryResult<RingPair> rings =
                RingPair.forHost(view.orElseThrow(), p.downstreamRingBufferPageOffset(), 1 << 20);
        if (rings instanceof MemoryResult.Failed<RingPair> f) {
            errors.add("rings: " + f.error());
            return NtStatus.UNSUCCESSFUL;
        }
        final EchoChannel echo = new EchoChannel(
                rings.orElseThrow(),
                p.connectionId(),
                p.eventFlag(),
                p.reservedTarget() != null ? ConnectionIds.VP_INDEX_DISABLE_INTERRUPT : p.targetVp());
        byOffer.put(offer, echo);
        byConnectionId.put(p.connectionId(), echo);
        return NtStatus.SUCCESS;
    }

    // ---- delivery (the SynIC message slot)
    // ----------------------------------------------------------------------------

    private void deliveryLoop() {
        while (true) {
            final OutgoingMessage m;
            lock.lock();
            try {
                while (!closed && (paused || server.peekOutgoing() == null)) {
                    work.await();
                }
                if (closed) {
                    return;
                }
                m = server.peekOutgoing();
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            final byte[] bytes = MessageCodec.encode(m.message());
            final int vp;
            final int sint;
            switch (m.target()) {
                case MessageTarget.Reserved r -> {
                    vp = r.vp();
                    sint = r.sint();
                }
                case MessageTarget.Custom c -> {
                    vp = c.vp();
                    sint = c.sint();
                }
                case MessageTarget.Default d -> {
                    vp = withLock(server::defaultTargetVp);
                    sint = ConnectionIds.VMBUS_SINT;
                }
            }
            withLock(() -> delivered.add(new Delivered(vp, sint, bytes)));
            listener.onMessage(vp, sint, ConnectionIds.VMBUS_MESSAGE_TYPE, bytes);
            withLock(() -> {
                server.outgoingDelivered(m.sequence());
                settle();
                return null;
            });
        }
    }

    private <T> T withLock(final java.util.function.Supplier<T> s) {
        lock.lock();
        try {
            return s.get();
        } finally {
            lock.unlock();
        }
    }

    // ---- the echo device --------------------------------------------------------------------------------------------

    /** Echoes every packet back; holds one packet while the host-to-guest ring is full (pending_send_sz). */
    private final class EchoChannel {
        final IncomingRing in;
        final OutgoingRing out;
        final int connectionId;
        final int eventFlag;
        volatile int targetVp;
        private final PacketView view = new PacketView();
        private int heldType;
        private int heldFlags;
        private long heldTransactionId;
        private byte[] held;
        private volatile boolean closed;

        EchoChannel(final RingPair rings, final int connectionId, final int eventFlag, final int targetVp) {
            this.in = rings.incoming();
            this.out = rings.outgoing();
            this.connectionId = connectionId;
            this.eventFlag = eventFlag;
            this.targetVp = targetVp;
        }

        /** Not synchronized: the host lock is held here, and an echo in progress must not wait for it. */
        void close() {
            closed = true;
        }

        synchronized void onGuestSignal() {
            if (closed) {
                return;
            }
            boolean signalGuest = false;
            while (true) {
                if (held != null) {
                    final WriteStatus st = out.tryWrite(
                            heldType, heldFlags, heldTransactionId, MemorySegment.ofArray(held), 0, held.length);
                    if (st == WriteStatus.FULL) {
                        signalGuest |= out.commitWrite();
                        if (out.requestSpace((int) OutgoingRing.packetLength(0, held.length))) {
                            continue;
                        }
                        break; // the guest's read crosses pending_send_sz and signals us
                    }
                    if (st != WriteStatus.WRITTEN) {
                        recordError("echo write " + st + " " + out.corruption());
                        held = null;
                        break;
                    }
                    held = null;
                }
                final ReadStatus rs = in.poll(view);
                if (rs == ReadStatus.EMPTY) {
                    break;
                }
                if (rs == ReadStatus.CORRUPT) {
                    recordError("echo read corrupt " + in.corruption());
                    break;
                }
                heldType = view.type();
                heldFlags = view.flags();
                heldTransactionId = view.transactionId();
                held = new byte[view.payloadLength()];
                view.copyPayloadTo(MemorySegment.ofArray(held), 0);
                signalGuest |= in.commitRead(); // the guest writer waits for space and now has it
            }
            signalGuest |= out.commitWrite();
            final int vp = targetVp;
            if (signalGuest && vp != ConnectionIds.VP_INDEX_DISABLE_INTERRUPT) {
                listener.onSignal(vp, ConnectionIds.VMBUS_SINT, eventFlag);
            }
        }

        private void recordError(final String e) {
            errors.add(e);
        }
    }
}
