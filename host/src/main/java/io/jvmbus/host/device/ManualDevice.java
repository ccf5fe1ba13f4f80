package io.jvmbus.host.device;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvmbus.host.control.ControlException;
import io.jvmbus.host.control.ControlRequest;
import io.jvmbus.protocol.NtStatus;
import io.jvmbus.server.DeviceRequest;
import io.jvmbus.server.OpenParams;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The {@code manual} device: reports each request it gets as an EVENT and waits for CONTROL {@code complete}, which
 * answers the oldest pending request of that kind (for {@code gpadl} and {@code teardown}, of that GPADL). While a VM
 * reset runs, every request is answered at once, so that the reset (and its RESET_DONE, which must come before the
 * answer to any later frame) finishes: close and teardown as done, open, GPADL and modify as failed. The EVENT says
 * {@code "auto_completed": true}.
 */
public final class ManualDevice implements Device {

    private record Pending(ControlRequest.RequestKind kind, int gpadlId) {}

    private final ChannelPort port;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private boolean resetting;
    /** Completed an open with success and no close since: the claim at RESTORE. */
    private boolean opened;

    /**
     * A manual device for one channel.
     *
     * @param port the channel
     */
    public ManualDevice(final ChannelPort port) {
        this.port = port;
    }

    @Override
    public void onRequest(final DeviceRequest request) {
        final ObjectNode e = JsonNodeFactory.instance.objectNode();
        final Pending p;
        switch (request) {
            case DeviceRequest.Open o -> {
                e.put("event", "open");
                final OpenParams params = o.params();
                e.put("channel_id", params.channelId());
                e.put("target_vp", Integer.toUnsignedLong(params.targetVp()));
                e.put("gpadl", Integer.toUnsignedLong(params.ringBufferGpadlId()));
                e.put("downstream_page_offset", params.downstreamRingBufferPageOffset());
                e.put("event_flag", params.eventFlag());
                e.put("connection_id", Integer.toUnsignedLong(params.connectionId()));
                e.put("version", o.version().version().text());
                if (params.reservedTarget() != null) {
                    final ObjectNode t = e.putObject("reserved_target");
                    t.put("vp", Integer.toUnsignedLong(params.reservedTarget().vp()));
                    t.put("sint", params.reservedTarget().sint());
                } else {
                    e.putNull("reserved_target");
                }
                p = new Pending(ControlRequest.RequestKind.OPEN, 0);
            }
            case DeviceRequest.Close c -> {
                e.put("event", "close");
                p = new Pending(ControlRequest.RequestKind.CLOSE, 0);
            }
            case DeviceRequest.CreateGpadl g -> {
                e.put("event", "gpadl");
                e.put("gpadl", Integer.toUnsignedLong(g.gpadlId()));
                e.put("ranges", g.rangeCount());
                long bytes = 0;
                for (final var r : g.ranges()) {
                    bytes += r.byteCount() & 0xFFFFFFFFL;
                }
                e.put("bytes", bytes);
                p = new Pending(ControlRequest.RequestKind.GPADL, g.gpadlId());
            }
            case DeviceRequest.TeardownGpadl t -> {
                e.put("event", "teardown");
                e.put("gpadl", Integer.toUnsignedLong(t.gpadlId()));
                p = new Pending(ControlRequest.RequestKind.TEARDOWN, t.gpadlId());
            }
            case DeviceRequest.Modify m -> {
                e.put("event", "modify");
                e.put("target_vp", Integer.toUnsignedLong(m.targetVp()));
                p = new Pending(ControlRequest.RequestKind.MODIFY, 0);
            }
        }
        e.put("name", port.name());
        e.put("auto_completed", resetting);
        port.event(e);
        if (resetting) {
            answer(p, NtStatus.UNSUCCESSFUL);
        } else {
            pending.add(p);
        }
    }

    /**
     * Answers the oldest pending request of a kind.
     *
     * @param c the CONTROL complete request
     * @throws ControlException if no such request is pending
     */
    public void complete(final ControlRequest.Complete c) throws ControlException {
        final int gpadl = (int) c.gpadl().orElse(0);
        final boolean byGpadl =
                c.request() == ControlRequest.RequestKind.GPADL || c.request() == ControlRequest.RequestKind.TEARDOWN;
        for (final Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            final Pending p = it.next();
            if (p.kind() == c.request() && (!byGpadl || p.gpadlId() == gpadl)) {
                it.remove();
                answer(p, c.status());
                return;
            }
        }
        throw new ControlException(
                ControlException.Kind.NOT_FOUND,
                "no pending '" + c.request().wire() + "' request on channel '" + port.name() + "'"
                        + (byGpadl ? " for gpadl " + Integer.toUnsignedString(gpadl) : "")
                        + " (pending: " + pending.size() + ")");
    }

    private void answer(final Pending p, final int status) {
        switch (p.kind()) {
            case OPEN -> {
                opened = NtStatus.isSuccess(status);
                port.completeOpen(status);
            }
            case CLOSE -> {
                opened = false;
                port.completeClose();
            }
            case GPADL -> port.completeGpadl(p.gpadlId(), status);
            case TEARDOWN -> port.completeTeardown(p.gpadlId());
            case MODIFY -> port.completeModify(status);
        }
    }

    /**
     * Pending requests are not saved here: the core re-sends every request a device still owes an answer to when the
     * channel is claimed, so they come back (with their EVENTs) in the new process.
     */
    @Override
    public boolean holdsOpen() {
        return opened;
    }

    @Override
    public void onGuestSignal() {
        // a manual device has no rings to look at
    }

    @Override
    public void onRevoked() {
        // nothing mapped; pending requests are still answered by CONTROL complete
    }

    @Override
    public void onResetting(final boolean now) {
        resetting = now;
        if (now) {
            // a reset waits for every outstanding request: answer them now
            while (!pending.isEmpty()) {
                answer(pending.poll(), NtStatus.UNSUCCESSFUL);
            }
        }
    }

    @Override
    public void inspect(final ObjectNode into) {
        final var list = into.putArray("pending_requests");
        for (final Pending p : pending) {
            list.add(p.kind().wire() + (p.gpadlId() != 0 ? " " + Integer.toUnsignedString(p.gpadlId()) : ""));
        }
    }

    @Override
    public void close() {
        pending.clear();
    }
}
