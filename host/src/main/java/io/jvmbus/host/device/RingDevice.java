package io.jvmbus.host.device;

import io.jvmbus.memory.GpadlView;
import io.jvmbus.memory.GuestMemory;
import io.jvmbus.memory.MemoryResult;
import io.jvmbus.memory.ring.RingPair;
import io.jvmbus.protocol.ConnectionIds;
import io.jvmbus.protocol.NtStatus;
import io.jvmbus.server.DeviceRequest;
import io.jvmbus.server.OpenParams;
import io.jvmbus.server.RestoredGpadl;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What every device that moves data over the channel's rings does the same way: it maps GPADLs, maps the ring GPADL
 * on open, follows MODIFY_CHANNEL, routes the guest's signals to itself while open, and signals the guest on its target
 * VP with the channel's event flag. A subclass moves the data ({@link #service()}) and may refuse rings it cannot use
 * ({@link #refuseRings(RingPair)}). Runs on the session's worker thread only.
 */
abstract class RingDevice implements Device {

    /** Ask for no packet limit beyond the ring's own. */
    private static final int NO_PACKET_LIMIT = Integer.MAX_VALUE & ~7;

    /** The channel. */
    protected final ChannelPort port;

    private final Map<Integer, GpadlView> gpadls = new HashMap<>();
    private RingPair rings;
    private int targetVp;
    private int eventFlag;
    private boolean revoked;
    /** Accepted an open and got no close since (stays true when corruption detached the rings). */
    private boolean opened;

    private long signals;

    RingDevice(final ChannelPort port) {
        this.port = port;
    }

    /** Moves data until nothing more can move now; called on open and on every guest signal. */
    protected abstract void service();

    /**
     * Why rings that mapped fine still cannot serve this device.
     *
     * @param candidate the rings of an open request
     * @return a reason to refuse the open, or {@code null} to accept it
     */
    protected String refuseRings(final RingPair candidate) {
        return null;
    }

    /** The rings were dropped (close, corruption, revoke, session end); forget anything tied to them. */
    protected void onRingsDetached() {}

    /**
     * The open channel's rings.
     *
     * @return the rings, or {@code null} while not open
     */
    protected final RingPair rings() {
        return rings;
    }

    /**
     * The VP host-to-guest interrupts go to.
     *
     * @return the target VP (0xFFFFFFFF: interrupts disabled)
     */
    protected final int targetVp() {
        return targetVp;
    }

    /**
     * The event flag host-to-guest interrupts set.
     *
     * @return the flag
     */
    protected final int eventFlag() {
        return eventFlag;
    }

    /**
     * How often the guest was signalled.
     *
     * @return the count
     */
    protected final long signals() {
        return signals;
    }

    /**
     * The GPADLs this device has mapped (created and not torn down or dropped).
     *
     * @return the count
     */
    protected final int mappedGpadls() {
        return gpadls.size();
    }

    @Override
    public final void onRequest(final DeviceRequest request) {
        switch (request) {
            case DeviceRequest.CreateGpadl g -> createGpadl(g);
            case DeviceRequest.TeardownGpadl t -> {
                gpadls.remove(t.gpadlId());
                port.completeTeardown(t.gpadlId());
            }
            case DeviceRequest.Open o -> open(o);
            case DeviceRequest.Close c -> {
                opened = false;
                detachRings();
                port.completeClose();
            }
            case DeviceRequest.Modify m -> {
                targetVp = m.targetVp();
                port.completeModify(NtStatus.SUCCESS);
            }
        }
    }

    private void createGpadl(final DeviceRequest.CreateGpadl g) {
        final GuestMemory memory = port.memory();
        if (memory == null) {
            port.warn("gpadl " + Integer.toUnsignedString(g.gpadlId()) + " refused: HELLO named no guest RAM");
            port.completeGpadl(g.gpadlId(), NtStatus.UNSUCCESSFUL);
            return;
        }
        switch (GpadlView.of(memory, g.ranges())) {
            case MemoryResult.Ok<GpadlView> ok -> {
                gpadls.put(g.gpadlId(), ok.value());
                port.completeGpadl(g.gpadlId(), NtStatus.SUCCESS);
            }
            case MemoryResult.Failed<GpadlView> f -> {
                port.warn("gpadl " + Integer.toUnsignedString(g.gpadlId()) + " refused: " + f.error());
                port.completeGpadl(g.gpadlId(), NtStatus.UNSUCCESSFUL);
            }
        }
    }

    private void open(final DeviceRequest.Open o) {
        final var p = o.params();
        final GpadlView ring = gpadls.get(p.ringBufferGpadlId());
        if (ring == null || revoked) {
            port.warn("open refused: ring gpadl " + Integer.toUnsignedString(p.ringBufferGpadlId())
                    + (revoked ? " on a revoked channel" : " is not mapped"));
            port.completeOpen(NtStatus.UNSUCCESSFUL);
            return;
        }
        switch (RingPair.forHost(ring, p.downstreamRingBufferPageOffset(), NO_PACKET_LIMIT)) {
            case MemoryResult.Ok<RingPair> ok -> {
                final String refusal = refuseRings(ok.value());
                if (refusal != null) {
                    port.warn("open refused: " + refusal);
                    port.completeOpen(NtStatus.UNSUCCESSFUL);
                    return;
                }
                rings = ok.value();
                targetVp = p.targetVp();
                eventFlag = p.eventFlag();
                opened = true;
                port.routeSignals(p.connectionId());
                port.completeOpen(NtStatus.SUCCESS);
                service(); // the guest may have written before it got the open result
            }
            case MemoryResult.Failed<RingPair> f -> {
                port.warn("open refused: " + f.error());
                port.completeOpen(NtStatus.UNSUCCESSFUL);
            }
        }
    }

    @Override
    public final boolean holdsOpen() {
        return opened;
    }

    /**
     * Maps the accepted GPADLs again (same guest pages, this process's views) and attaches to the open channel's rings
     * at the indices guest memory holds: the ring buffers continue where they were.
     */
    @Override
    public final void restoreChannel(final OpenParams open, final List<RestoredGpadl> restored) {
        final GuestMemory memory = port.memory();
        for (final RestoredGpadl g : restored) {
            if (!g.accepted()) {
                continue; // its creation was re-sent: onRequest maps it
            }
            if (memory == null) {
                port.warn("restored gpadl " + Integer.toUnsignedString(g.gpadlId()) + " not mapped: no guest RAM");
                continue;
            }
            switch (GpadlView.of(memory, g.ranges())) {
                case MemoryResult.Ok<GpadlView> ok -> gpadls.put(g.gpadlId(), ok.value());
                case MemoryResult.Failed<GpadlView> f ->
                    port.warn("restored gpadl " + Integer.toUnsignedString(g.gpadlId()) + " not mapped: " + f.error());
            }
        }
        if (open == null) {
            return;
        }
        opened = true;
        targetVp = open.targetVp();
        eventFlag = open.eventFlag();
        final GpadlView ring = gpadls.get(open.ringBufferGpadlId());
        if (ring == null) {
            port.warn("restored open channel: ring gpadl " + Integer.toUnsignedString(open.ringBufferGpadlId())
                    + " is not mapped (expected: an accepted gpadl); channel stopped");
            return;
        }
        switch (RingPair.forHost(ring, open.downstreamRingBufferPageOffset(), NO_PACKET_LIMIT)) {
            case MemoryResult.Ok<RingPair> ok -> {
                rings = ok.value();
                port.routeSignals(open.connectionId());
            }
            case MemoryResult.Failed<RingPair> f -> port.warn("restored rings refused, channel stopped: " + f.error());
        }
    }

    /** Moves what the guest left in the rings while the host was serviced. */
    @Override
    public final void resume() {
        service();
    }

    /** Stops using the rings (they stay in guest memory untouched) and stops routing the guest's signals here. */
    protected final void detachRings() {
        rings = null;
        port.routeSignals(-1);
        onRingsDetached();
    }

    /** Signals the guest, unless the channel was opened with interrupts disabled. */
    protected final void signal() {
        if (targetVp != ConnectionIds.VP_INDEX_DISABLE_INTERRUPT) {
            signals++;
            port.signalGuest(targetVp, eventFlag);
        }
    }

    @Override
    public final void onGuestSignal() {
        service();
    }

    @Override
    public void onRevoked() {
        revoked = true;
        detachRings();
        gpadls.clear();
    }

    @Override
    public void close() {
        detachRings();
        gpadls.clear();
    }
}
