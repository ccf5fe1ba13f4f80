package io.jvmbus.host.session;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvmbus.host.control.ControlCodec;
import io.jvmbus.host.control.ControlException;
import io.jvmbus.host.control.ControlRequest;
import io.jvmbus.host.session.savedstate.SavedSession;
import io.jvmbus.protocol.Blob;
import io.jvmbus.protocol.transport.DecodeOutcome;
import io.jvmbus.protocol.transport.HelloLayout;
import io.jvmbus.protocol.transport.PostResultLayout;
import io.jvmbus.protocol.transport.ServerFrame;
import io.jvmbus.protocol.transport.TransportError;
import io.jvmbus.protocol.transport.VmmFrame;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol engine of one session: takes decoded frames in stream order and answers them through {@link Output},
 * in request order. Single-threaded and free of I/O: the transport feeds it from one worker thread. Bad input gets
 * a negative answer (ERROR, a POST_RESULT status, or {@code "ok":false}) and a WARN line naming the session; it never
 * throws for bad input.
 */
public final class SessionEngine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SessionEngine.class);

    /** The largest VP count a HELLO may name. */
    public static final int MAX_VP_COUNT = 2048;

    /** Where the engine's frames go. */
    @FunctionalInterface
    public interface Output {
        /**
         * Sends one frame to the VMM (blocking until it is written or the session fails).
         *
         * @param frame the frame
         */
        void send(ServerFrame frame);
    }

    private final long id;
    private final SessionEnvironment env;
    private final Output out;
    private final ForeignInspector foreign;
    private final ChannelPlane plane;

    private SessionState state = SessionState.AWAIT_HELLO;
    /** Written once by the worker before HELLO_OK goes out; volatile so other sessions' inspect sees the name. */
    private volatile VmmFrame.Hello hello;

    private GuestRam ram;
    /** The state the last SAVE built (for its log line). */
    private SavedSession lastSave;
    /** A RESTORE succeeded in this session. */
    private boolean restored;
    /** SAVE was answered and no other frame came since. */
    private boolean resumeAfterSave;

    private long framesIn;
    private long protocolErrors;

    /**
     * An engine for a new session.
     *
     * @param id the session id (unique in the server process)
     * @param env what the sessions of one server share
     * @param out where frames go
     * @param foreign how to look at other sessions
     */
    public SessionEngine(
            final long id, final SessionEnvironment env, final Output out, final ForeignInspector foreign) {
        this(id, env, out, foreign, null);
    }

    /**
     * An engine for a new session whose devices may run work on the session's worker ({@code pipe} needs it).
     *
     * @param id the session id (unique in the server process)
     * @param env what the sessions of one server share
     * @param out where frames go
     * @param foreign how to look at other sessions
     * @param worker runs an action on the thread that drives this engine, after what it does now; {@code null}: none
     *     (pipe devices are then refused)
     */
    public SessionEngine(
            final long id,
            final SessionEnvironment env,
            final Output out,
            final ForeignInspector foreign,
            final java.util.concurrent.Executor worker) {
        this.id = id;
        this.env = env;
        this.out = out;
        this.foreign = foreign;
        this.plane = new ChannelPlane(this::who, env.core(), out::send, worker);
        for (final ControlRequest.Offer o : env.config().offers()) {
            try {
                plane.offer(o);
            } catch (final ControlException e) {
                LOG.warn("{}: configured device '{}' not offered: {}", who(), o.name(), e.getMessage());
            }
        }
    }

    /**
     * The session id.
     *
     * @return the id
     */
    public long id() {
        return id;
    }

    /**
     * The VM name from HELLO.
     *
     * @return the name, or empty before HELLO
     */
    public String vmName() {
        return hello == null ? "" : hello.vmName();
    }

    /**
     * The session state.
     *
     * @return the state
     */
    public SessionState state() {
        return state;
    }

    /**
     * Frames handled so far.
     *
     * @return the count
     */
    public long framesIn() {
        return framesIn;
    }

    /**
     * Frames answered with ERROR or refused so far.
     *
     * @return the count
     */
    public long protocolErrors() {
        return protocolErrors;
    }

    private String who() {
        return hello == null ? "session " + id : "session " + id + " (vm '" + hello.vmName() + "')";
    }

    private void state(final SessionState newState, final String reason) {
        if (state == newState) {
            return;
        }
        LOG.debug("{}: {} -> {} ({})", who(), state, newState, reason);
        state = newState;
    }

    /**
     * Handles one decoded frame (or decoding failure).
     *
     * @param outcome what the decoder made of the next frame
     * @return false if the session must end now (after a fatal frame)
     */
    public boolean handle(final DecodeOutcome outcome) {
        if (state == SessionState.CLOSED) {
            return false;
        }
        framesIn++;
        switch (outcome) {
            case DecodeOutcome.Fatal f -> {
                protocolError(f.error(), f.message());
                state(SessionState.CLOSED, f.message());
                return false;
            }
            case DecodeOutcome.Rejected r -> protocolError(r.error(), r.message());
            case DecodeOutcome.PostTooLarge p -> {
                if (requireHello("POST_MESSAGE")) {
                    LOG.warn(
                            "{}: POST_MESSAGE to connection {} payload_size={} (expected: <= 240): status 5",
                            who(),
                            Integer.toUnsignedString(p.connectionId()),
                            p.payloadSize());
                    protocolErrors++;
                    out.send(new ServerFrame.PostResult(PostResultLayout.INVALID_PARAMETER));
                }
            }
            case DecodeOutcome.JsonTooLarge j -> {
                if (requireHello(j.kind().name())) {
                    controlError(j.kind() + " of " + j.length() + " bytes (expected: <= " + j.limit() + ")");
                }
            }
            case DecodeOutcome.Decoded d -> {
                if (d.frame() instanceof VmmFrame f) {
                    onFrame(f);
                } else {
                    protocolError(TransportError.UNKNOWN_KIND, d.frame().kind() + " is not sent by a VMM");
                }
            }
        }
        return state != SessionState.CLOSED;
    }

    private void onFrame(final VmmFrame frame) {
        if (frame instanceof VmmFrame.Hello h) {
            onHello(h);
            return;
        }
        if (!requireHello(frame.kind().name())) {
            return;
        }
        if (resumeAfterSave && !(frame instanceof VmmFrame.Save)) {
            resumeAfterSave = false; // the VMM did not leave after SAVE: devices take back what SAVE released
            plane.afterSave();
        }
        switch (frame) {
            case VmmFrame.Hello h -> throw new IllegalStateException("unreachable");
            case VmmFrame.PostMessage p -> onPost(p);
            case VmmFrame.SignalEvent s -> plane.signal(s.connectionId());
            case VmmFrame.MessageSlotFree m -> {
                if (!plane.pump().onSlotFree(m.vpIndex(), m.sint())) {
                    LOG.debug(
                            "{}: MESSAGE_SLOT_FREE vp {} sint {}: nothing waits (ignored)",
                            who(),
                            m.vpIndex(),
                            m.sint());
                }
            }
            case VmmFrame.DeliverResult r -> onDeliverResult(r);
            case VmmFrame.Save s -> onSave();
            case VmmFrame.Restore r -> onRestore(r.savedState().toArray());
            case VmmFrame.Reset r -> onReset();
            case VmmFrame.Control c -> onControl(c.json());
        }
    }

    private boolean requireHello(final String what) {
        if (state == SessionState.AWAIT_HELLO) {
            protocolError(TransportError.UNEXPECTED, what + " before HELLO (expected: HELLO first)");
            return false;
        }
        return true;
    }

    private void protocolError(final TransportError error, final String message) {
        protocolErrors++;
        LOG.warn("{}: protocol error {}: {}", who(), error, message);
        out.send(ServerFrame.Error.of(error, message));
    }

    private void onHello(final VmmFrame.Hello h) {
        if (state != SessionState.AWAIT_HELLO) {
            protocolError(TransportError.UNEXPECTED, "a second HELLO (expected: one per session)");
            return;
        }
        if (h.transportVersion() != HelloLayout.TRANSPORT_VERSION) {
            protocolError(
                    TransportError.UNSUPPORTED_VERSION,
                    "transport_version=" + h.transportVersion() + " (expected: " + HelloLayout.TRANSPORT_VERSION + ")");
            return;
        }
        if (h.vpCount() < 1 || h.vpCount() > MAX_VP_COUNT) {
            protocolError(
                    TransportError.MALFORMED,
                    "vp_count=" + Integer.toUnsignedString(h.vpCount()) + " (expected: 1.." + MAX_VP_COUNT + ")");
            return;
        }
        if (!h.ramPath().isEmpty()) {
            if (h.ramBytes() <= 0) {
                protocolError(
                        TransportError.MALFORMED,
                        "ram_bytes=" + Long.toUnsignedString(h.ramBytes()) + " with ram_path '" + h.ramPath()
                                + "' (expected: > 0)");
                return;
            }
            try {
                ram = env.ramMapper().map(Path.of(h.ramPath()), h.ramBytes());
                plane.attachMemory(ram.memory());
            } catch (final IOException | RuntimeException e) {
                protocolError(
                        TransportError.RAM_UNAVAILABLE,
                        "cannot map ram_path '" + h.ramPath() + "' (" + h.ramBytes() + " bytes): " + e.getMessage());
                return;
            }
        }
        hello = h;
        state(SessionState.ACTIVE, "HELLO");
        LOG.info(
                "{}: HELLO: {} VPs, {} bytes of RAM{}",
                who(),
                h.vpCount(),
                Long.toUnsignedString(h.ramBytes()),
                h.ramPath().isEmpty() ? " (none mapped)" : " in " + h.ramPath());
        out.send(new ServerFrame.HelloOk(HelloLayout.TRANSPORT_VERSION, env.maxVersion(), env.featureFlags()));
    }

    private void onPost(final VmmFrame.PostMessage p) {
        final int status = plane.post(p.connectionId(), p.vpIndex(), p.messageType(), p.payload(), p.trusted());
        out.send(new ServerFrame.PostResult(status));
        plane.settle(); // messages the post produced go out after its answer
    }

    private void onDeliverResult(final VmmFrame.DeliverResult r) {
        final DeliveryPump pump = plane.pump();
        switch (pump.onDeliverResult(r.sequence(), r.status())) {
            case ACCEPTED, IGNORED_AFTER_RESET -> plane.settle();
            case UNEXPECTED_SEQUENCE ->
                protocolError(
                        TransportError.UNEXPECTED,
                        "DELIVER_RESULT sequence=" + Integer.toUnsignedString(r.sequence())
                                + " (expected: the outstanding DELIVER_MESSAGE's, "
                                + (pump.state() == DeliveryPump.State.OUTSTANDING ? "another" : "none outstanding")
                                + ")");
            case UNKNOWN_STATUS ->
                protocolError(TransportError.MALFORMED, "DELIVER_RESULT status=" + r.status() + " (expected: 0 or 1)");
        }
    }

    /**
     * SAVE: the session's saved state (core blob, devices, VM facts) in its envelope. The session goes on; a
     * DELIVER_MESSAGE the VMM has not answered stays in the core's queue, so it is in the state and is delivered again
     * by a restored session.
     */
    private void onSave() {
        final byte[] blob = saveBlob();
        LOG.info(
                "{}: SAVE: {} bytes, {} devices, {} queued messages{}",
                who(),
                blob.length,
                lastSave.getDevicesCount(),
                lastSave.getQueuedMessages(),
                lastSave.getDeliveryOutstanding() ? " (one unanswered: delivered again after RESTORE)" : "");
        resumeAfterSave = true;
        out.send(new ServerFrame.Saved(Blob.of(blob)));
        env.savedSink().saved(vmName(), blob);
    }

    /**
     * The session's saved state now, as SAVE answers it.
     *
     * @return the blob (see {@link SessionStateCodec})
     */
    public byte[] saveBlob() {
        final SavedSession.Builder b = SavedSession.newBuilder()
                .setVmName(hello.vmName())
                .setVpCount(hello.vpCount())
                .setRamBytes(hello.ramBytes());
        plane.save(b);
        lastSave = b.build();
        return SessionStateCodec.encode(lastSave);
    }

    private void onRestore(final byte[] blob) {
        if (plane.posts() != 0) {
            restoreRefused("RESTORE after " + plane.posts() + " POST_MESSAGEs (expected: before the first)");
            return;
        }
        if (restored) {
            restoreRefused("a second RESTORE (expected: one per session)");
            return;
        }
        final SavedSession saved;
        switch (SessionStateCodec.decode(blob)) {
            case SessionStateCodec.Decoded.Failed f -> {
                restoreRefused("saved state of " + blob.length + " bytes refused: " + f);
                return;
            }
            case SessionStateCodec.Decoded.Ok ok -> saved = ok.session();
        }
        if (saved.getVpCount() != hello.vpCount()) {
            restoreRefused("saved vp_count=" + Integer.toUnsignedString(saved.getVpCount()) + " (expected: "
                    + hello.vpCount() + ", this session's HELLO)");
            return;
        }
        if (saved.getRamBytes() != hello.ramBytes()) {
            restoreRefused("saved ram_bytes=" + Long.toUnsignedString(saved.getRamBytes()) + " (expected: "
                    + Long.toUnsignedString(hello.ramBytes()) + ", this session's HELLO)");
            return;
        }
        if (!saved.getVmName().equals(hello.vmName())) {
            LOG.warn(
                    "{}: RESTORE of a state saved by vm '{}' (accepted: names are not checked)",
                    who(),
                    saved.getVmName());
        }
        final ChannelPlane.RestoreSummary r;
        try {
            r = plane.restore(saved);
        } catch (final ChannelPlane.RestoreRefused e) {
            restoreRefused(e.getMessage());
            return;
        }
        restored = true;
        LOG.info(
                "{}: RESTORE: {} bytes, {} channels ({} claimed by devices here, {} revoked), {} GPADLs, {} queued"
                        + " messages to deliver again",
                who(),
                blob.length,
                r.channels(),
                r.claimed(),
                r.unmatched(),
                r.gpadls(),
                r.messages());
        out.send(new ServerFrame.Restored());
        plane.resumeAfterRestore(); // queued messages and ring data move only after RESTORED
    }

    private void restoreRefused(final String message) {
        protocolErrors++;
        LOG.warn("{}: RESTORE refused: {}", who(), message);
        out.send(ServerFrame.Error.of(TransportError.RESTORE_REFUSED, message));
    }

    private void onReset() {
        if (!plane.reset()) {
            // cannot happen with this server's devices (they answer at once during a reset); if it does, the
            // session's state is unknown: say so and end it
            protocolError(TransportError.INTERNAL, "RESET did not complete (a device did not answer)");
            state(SessionState.CLOSED, "reset did not complete");
            return;
        }
        LOG.info("{}: RESET: every channel closed, the guest connection forgotten", who());
        out.send(new ServerFrame.ResetDone());
    }

    private void onControl(final Blob json) {
        final ControlRequest request;
        try {
            request = ControlCodec.parse(json.toArray());
        } catch (final ControlException e) {
            controlError(e.getMessage());
            return;
        }
        try {
            final ObjectNode result = switch (request) {
                case ControlRequest.Offer o -> plane.offer(o);
                case ControlRequest.Revoke r -> plane.revoke(r);
                case ControlRequest.Complete c -> plane.complete(c);
                case ControlRequest.Inspect i -> inspect(i);
            };
            LOG.debug(
                    "{}: CONTROL {} ok",
                    who(),
                    request.getClass().getSimpleName().toLowerCase());
            out.send(new ServerFrame.ControlResult(Blob.of(ControlCodec.bytes(result))));
        } catch (final ControlException e) {
            controlError(e.getMessage());
        }
    }

    private void controlError(final String message) {
        protocolErrors++;
        LOG.warn("{}: CONTROL refused: {}", who(), message);
        out.send(new ServerFrame.ControlResult(Blob.of(ControlCodec.bytes(ControlCodec.error(message)))));
    }

    private ObjectNode inspect(final ControlRequest.Inspect i) {
        final ObjectNode result = ControlCodec.ok();
        if (i.vm().isPresent()) {
            final ArrayNode sessions = foreign.inspect(i.vm().get());
            result.set("sessions", sessions);
        } else {
            result.set("state", inspectState());
        }
        return result;
    }

    /**
     * The session's state as JSON (the {@code "state"} of an inspect result).
     *
     * @return a new object
     */
    public ObjectNode inspectState() {
        final ObjectNode s = ControlCodec.mapper().createObjectNode();
        s.put("session", id);
        s.put("vm", vmName());
        s.put("session_state", state.name().toLowerCase());
        s.put("posts", plane.posts());
        s.setAll(plane.inspect());
        return s;
    }

    /** Ends the session: releases guest RAM. Idempotent. */
    @Override
    public void close() {
        state(SessionState.CLOSED, "closed");
        plane.close();
        if (ram != null) {
            ram.close();
            ram = null;
        }
    }
}
