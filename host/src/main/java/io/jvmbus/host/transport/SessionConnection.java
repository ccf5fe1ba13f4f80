package io.jvmbus.host.transport;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jvmbus.host.session.SessionEngine;
import io.jvmbus.host.session.SessionEnvironment;
import io.jvmbus.protocol.transport.DecodeOutcome;
import io.jvmbus.protocol.transport.FrameDecoder;
import io.jvmbus.protocol.transport.FrameEncoder;
import io.jvmbus.protocol.transport.FrameHeaderLayout;
import io.jvmbus.protocol.transport.FrameKind;
import io.jvmbus.protocol.transport.ServerFrame;
import io.jvmbus.protocol.transport.TransportError;
import io.jvmbus.protocol.transport.VmmFrame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One VM session over one connection, on two virtual threads. The reader decodes frames and queues them; the worker
 * is the only thread that touches the session's {@link SessionEngine} and the only one that writes to the socket.
 * Queued frames are bounded by a byte budget (a reader that runs ahead waits), so a VMM cannot make the server buffer
 * more than about one maximum-size frame per session beyond the decoder's own buffer.
 *
 * <p>Every exception is caught at this boundary: the session is logged, answered with ERROR where possible, and
 * closed; other sessions are not affected.
 */
final class SessionConnection {

    private static final Logger LOG = LoggerFactory.getLogger(SessionConnection.class);

    /** Bytes of decoded frames a session may have queued: one maximum frame plus slack. */
    static final int QUEUE_BUDGET_BYTES = FrameHeaderLayout.MAX_BODY_LENGTH + (1 << 20);
    /** Per-frame overhead charged against the budget, so that many tiny frames are bounded too. */
    static final int FRAME_OVERHEAD_BYTES = 128;
    /** How long an inspect of other sessions waits for them. */
    static final long FOREIGN_INSPECT_TIMEOUT_MS = 2000;
    /** Inspect requests from other sessions that may wait in this session's queue. */
    static final int MAX_FOREIGN_PENDING = 8;

    private sealed interface Event {}

    private record Incoming(DecodeOutcome outcome, int permits) implements Event {}

    private record Task(Runnable action) implements Event {}

    private record Ended(String reason) implements Event {}

    private record Wake() implements Event {}

    /** A write to the socket failed: the session ends. */
    private static final class SendFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SendFailed(final IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** The reader was told to stop while it waited for budget. */
    private static final class ReaderStopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ReaderStopped() {
            super(null, null, false, false);
        }
    }

    private final long id;
    private final SocketChannel channel;
    private final String peer;
    private final SessionRegistry registry;
    private final SessionEngine engine;
    private final LinkedBlockingDeque<Event> events = new LinkedBlockingDeque<>();
    private final Semaphore budget = new Semaphore(QUEUE_BUDGET_BYTES);
    private final AtomicInteger foreignPending = new AtomicInteger();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final CompletableFuture<String> done = new CompletableFuture<>();
    private volatile Thread reader;
    private ByteBuffer writeBuffer = ByteBuffer.allocateDirect(64 << 10);

    SessionConnection(
            final long id,
            final SocketChannel channel,
            final String peer,
            final SessionEnvironment env,
            final SessionRegistry registry) {
        this.id = id;
        this.channel = channel;
        this.peer = peer;
        this.registry = registry;
        this.engine = new SessionEngine(id, env, this::send, this::inspectOthers, r -> events.add(new Task(r)));
    }

    long id() {
        return id;
    }

    String vmName() {
        return engine.vmName();
    }

    /** Completes with the reason once the session has ended and released everything. */
    CompletableFuture<String> done() {
        return done;
    }

    void start() {
        LOG.info("session {}: connected from {}", id, peer);
        reader = Thread.ofVirtual().name("session-" + id + "-reader").start(this::readLoop);
        Thread.ofVirtual().name("session-" + id + "-worker").start(this::workLoop);
    }

    /** Ends the session from outside (server shutdown). */
    void close(final String reason) {
        events.add(new Ended(reason));
    }

    private void readLoop() {
        final FrameDecoder decoder = new FrameDecoder(FrameKind.Sender.VMM, FrameDecoder.Limits.DEFAULT);
        final ByteBuffer buf = ByteBuffer.allocate(64 << 10);
        try {
            while (!ended.get()) {
                buf.clear();
                final int n = channel.read(buf);
                if (n < 0) {
                    events.add(new Ended(
                            decoder.midFrame()
                                    ? "the VMM closed the connection in the middle of a frame"
                                    : "the VMM closed the connection"));
                    return;
                }
                buf.flip();
                decoder.feed(buf, this::enqueue);
                if (decoder.failed()) {
                    return; // the worker answers the fatal frame and ends the session
                }
            }
        } catch (final ReaderStopped | ClosedChannelException e) {
            events.add(new Ended("closed"));
        } catch (final IOException e) {
            events.add(new Ended("read failed: " + e.getMessage()));
        } catch (final RuntimeException e) {
            LOG.error("session {}: reader failed", id, e);
            events.add(new Ended("reader failed: " + e));
        }
    }

    private void enqueue(final DecodeOutcome outcome) {
        final int permits = Math.min(QUEUE_BUDGET_BYTES, FRAME_OVERHEAD_BYTES + bodyBytes(outcome));
        try {
            budget.acquire(permits);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReaderStopped();
        }
        events.add(new Incoming(outcome, permits));
    }

    private static int bodyBytes(final DecodeOutcome outcome) {
        if (outcome instanceof DecodeOutcome.Decoded d) {
            return switch (d.frame()) {
                case VmmFrame.Restore r -> r.savedState().length();
                case VmmFrame.Control c -> c.json().length();
                case VmmFrame.Hello h -> h.ramPath().length() + h.vmName().length();
                default -> 0;
            };
        }
        return 0;
    }

    private void workLoop() {
        String reason = "ended";
        try {
            while (true) {
                final Event e = events.take();
                if (e instanceof Incoming in) {
                    budget.release(in.permits());
                    final boolean more = engine.handle(in.outcome());
                    if (!more) {
                        reason = "the stream cannot be trusted after a fatal frame";
                        return;
                    }
                } else if (e instanceof Task t) {
                    t.action().run();
                } else if (e instanceof Ended en) {
                    reason = en.reason();
                    return;
                }
            }
        } catch (final SendFailed e) {
            reason = "write failed: " + e.getMessage();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            reason = "interrupted";
        } catch (final Throwable t) { // the session boundary: nothing escapes, the session closes cleanly
            LOG.error("session {} (vm '{}'): internal error; closing the session", id, vmName(), t);
            reason = "internal error: " + t;
            try {
                writeFrame(ServerFrame.Error.of(TransportError.INTERNAL, "internal error: " + t));
            } catch (final IOException | RuntimeException ignored) {
                // the connection is going away anyway
            }
        } finally {
            end(reason);
        }
    }

    private void end(final String reason) {
        ended.set(true);
        ObjectNode last;
        try {
            last = engine.inspectState(); // what the VM left behind, before the server releases it
        } catch (final RuntimeException e) {
            LOG.warn("session {}: its last state could not be taken", id, e);
            last = JsonNodeFactory.instance.objectNode().put("error", "last state unavailable: " + e);
        }
        try {
            engine.close();
        } catch (final RuntimeException e) {
            LOG.warn("session {}: releasing its resources failed", id, e);
        }
        try {
            channel.close();
        } catch (final IOException e) {
            LOG.debug("session {}: close failed", id, e);
        }
        final Thread r = reader;
        if (r != null) {
            r.interrupt();
        }
        registry.ended(this, new SessionRegistry.Ended(id, vmName(), reason, last));
        // answer inspect requests that other sessions queued here
        for (Event e = events.poll(); e != null; e = events.poll()) {
            if (e instanceof Task t) {
                t.action().run();
            }
        }
        LOG.info(
                "session {}{}: ended: {} ({} frames, {} refused)",
                id,
                vmName().isEmpty() ? "" : " (vm '" + vmName() + "')",
                reason,
                engine.framesIn(),
                engine.protocolErrors());
        done.complete(reason);
    }

    private void send(final ServerFrame frame) {
        try {
            writeFrame(frame);
        } catch (final IOException e) {
            throw new SendFailed(e);
        }
    }

    private void writeFrame(final ServerFrame frame) throws IOException {
        final int n = FrameEncoder.encodedLength(frame);
        if (n > writeBuffer.capacity()) {
            writeBuffer = ByteBuffer.allocateDirect(Math.max(n, writeBuffer.capacity() * 2));
        }
        writeBuffer.clear();
        FrameEncoder.encode(frame, writeBuffer);
        writeBuffer.flip();
        while (writeBuffer.hasRemaining()) {
            channel.write(writeBuffer);
        }
    }

    /** Runs on another session's worker: queues an inspect of this session, answered on this session's worker. */
    private CompletableFuture<ObjectNode> submitInspect(final SessionConnection requester) {
        final CompletableFuture<ObjectNode> result = new CompletableFuture<>();
        if (ended.get()) {
            result.completeExceptionally(new IllegalStateException("session ended"));
            return result;
        }
        if (foreignPending.incrementAndGet() > MAX_FOREIGN_PENDING) {
            foreignPending.decrementAndGet();
            result.completeExceptionally(new IllegalStateException("session busy"));
            return result;
        }
        events.add(new Task(() -> {
            try {
                result.complete(engine.inspectState());
            } catch (final RuntimeException e) {
                result.completeExceptionally(e);
            } finally {
                foreignPending.decrementAndGet();
                requester.events.add(new Wake());
            }
        }));
        return result;
    }

    /**
     * Runs on this session's worker: asks other sessions for their state and waits for them, bounded. While it waits it
     * still answers inspect requests queued here (two sessions inspecting each other do not deadlock); frames that
     * arrive meanwhile are handled afterwards, in order.
     */
    private ArrayNode inspectOthers(final String vm) {
        final Map<SessionConnection, CompletableFuture<ObjectNode>> asked = new LinkedHashMap<>();
        final SessionRegistry.Matches matches = registry.matching(vm, this);
        for (final SessionConnection s : matches.live()) {
            asked.put(s, s.submitInspect(this));
        }
        final List<Event> deferred = new ArrayList<>();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FOREIGN_INSPECT_TIMEOUT_MS);
        try {
            while (!asked.values().stream().allMatch(CompletableFuture::isDone)) {
                final long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                final Event e = events.poll(left, TimeUnit.NANOSECONDS);
                if (e instanceof Task t) {
                    t.action().run();
                } else if (e != null && !(e instanceof Wake)) {
                    deferred.add(e);
                }
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (int i = deferred.size() - 1; i >= 0; i--) {
                events.addFirst(deferred.get(i));
            }
        }
        final ArrayNode list = JsonNodeFactory.instance.arrayNode();
        asked.forEach((s, f) -> {
            final ObjectNode entry = list.addObject();
            entry.put("session", s.id());
            entry.put("vm", s.vmName());
            entry.put("ended", false);
            if (f.isDone() && !f.isCompletedExceptionally()) {
                entry.set("state", f.join());
            } else {
                entry.put("error", f.isDone() ? f.exceptionNow().getMessage() : "no answer in time");
            }
        });
        for (final SessionRegistry.Ended e : matches.ended()) {
            final ObjectNode entry = list.addObject();
            entry.put("session", e.id());
            entry.put("vm", e.vm());
            entry.put("ended", true);
            entry.put("reason", e.reason());
            entry.set("state", e.lastState().deepCopy());
        }
        return list;
    }
}
