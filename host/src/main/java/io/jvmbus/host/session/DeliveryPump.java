package io.jvmbus.host.session;

import io.jvmbus.host.frame.DeliverResultLayout;
import io.jvmbus.host.frame.ServerFrame;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Message flow control of one session (host-transport.md, "Message flow control"). At most one DELIVER_MESSAGE is
 * outstanding; the next goes out only after the DELIVER_RESULT with its sequence. A busy result keeps the message (the
 * rest stays behind it in its source, in order) and sends it again after the next MESSAGE_SLOT_FREE for its vp and
 * sint; a MESSAGE_SLOT_FREE nothing waits for is ignored.
 *
 * <p>Messages come from two places: the default-target queue, which the channel server core owns and this pump pulls
 * one message at a time (so the core keeps its order and reports back-pressure while it holds messages); and a small
 * bounded queue of messages to other targets (reserved channels), which the core hands over directly and which may
 * overtake the default target's, as in the reference server. The pump itself holds at most one default-target message
 * and {@link #MAX_DIRECT} others: memory is bounded.
 *
 * <p>Single-threaded: the session's worker calls every method.
 */
public final class DeliveryPump {

    /** The most messages to non-default targets kept waiting; more are dropped (the reference drops them too). */
    public static final int MAX_DIRECT = 64;

    /** What the pump is doing. */
    public enum State {
        /** Nothing outstanding: the next message may go out. */
        IDLE,
        /** A DELIVER_MESSAGE waits for its DELIVER_RESULT. */
        OUTSTANDING,
        /** The last one was refused as busy: it waits for MESSAGE_SLOT_FREE of its vp and sint. */
        SLOT_BUSY
    }

    /** How a DELIVER_RESULT was taken. */
    public enum ResultOutcome {
        /** The result matched the outstanding message. */
        ACCEPTED,
        /** A late result for a message dropped by a reset: ignored. */
        IGNORED_AFTER_RESET,
        /** No message with that sequence is outstanding. */
        UNEXPECTED_SEQUENCE,
        /** The status is neither 0 nor 1; nothing changed. */
        UNKNOWN_STATUS
    }

    private final Supplier<OutgoingMessage> defaultSource;
    private final Consumer<ServerFrame.DeliverMessage> sink;
    private final ArrayDeque<OutgoingMessage> direct = new ArrayDeque<>();

    private State state = State.IDLE;
    private OutgoingMessage current;
    private int sequence;
    /** The sequence of a message a reset dropped while it was outstanding, or 0. */
    private int droppedSequence;

    private long delivered;
    private long busyAnswers;
    private long directDropped;

    /**
     * A pump.
     *
     * @param defaultSource pulls (removes) the next default-target message, or returns {@code null} if none waits
     * @param sink sends a DELIVER_MESSAGE frame
     */
    public DeliveryPump(
            final Supplier<OutgoingMessage> defaultSource, final Consumer<ServerFrame.DeliverMessage> sink) {
        this.defaultSource = defaultSource;
        this.sink = sink;
    }

    /**
     * The state.
     *
     * @return what the pump is doing
     */
    public State state() {
        return state;
    }

    /**
     * The message the pump holds (outstanding or waiting for its slot).
     *
     * @return the message, or {@code null} when idle
     */
    public OutgoingMessage current() {
        return current;
    }

    /**
     * Messages delivered so far.
     *
     * @return DELIVER_RESULTs with status 0
     */
    public long delivered() {
        return delivered;
    }

    /**
     * Busy answers so far.
     *
     * @return DELIVER_RESULTs with status 1
     */
    public long busyAnswers() {
        return busyAnswers;
    }

    /**
     * Messages to non-default targets dropped because {@link #MAX_DIRECT} were waiting.
     *
     * @return the count
     */
    public long directDropped() {
        return directDropped;
    }

    /**
     * Messages to non-default targets waiting.
     *
     * @return the count
     */
    public int directWaiting() {
        return direct.size();
    }

    /**
     * Queues a message to a non-default target and sends it if the way is free.
     *
     * @param message the message
     * @return false if it was dropped because the direct queue is full
     */
    public boolean offerDirect(final OutgoingMessage message) {
        if (direct.size() >= MAX_DIRECT) {
            directDropped++;
            return false;
        }
        direct.add(message);
        pump();
        return true;
    }

    /** Sends the next message if nothing is outstanding or waiting for a slot; call after the source got messages. */
    public void pump() {
        if (state != State.IDLE) {
            return;
        }
        OutgoingMessage next = direct.poll();
        if (next == null) {
            next = defaultSource.get();
        }
        if (next != null) {
            send(next);
        }
    }

    private void send(final OutgoingMessage m) {
        current = m;
        sequence++; // a u32 on the wire that wraps; 0 is skipped so that it never names a message
        if (sequence == 0) {
            sequence = 1;
        }
        state = State.OUTSTANDING;
        sink.accept(
                new ServerFrame.DeliverMessage(sequence, m.vpIndex(), m.sint(), m.vtl(), m.messageType(), m.payload()));
    }

    /**
     * Takes a DELIVER_RESULT.
     *
     * @param seq its sequence
     * @param status 0 delivered, 1 slot busy
     * @return how it was taken; anything but {@link ResultOutcome#ACCEPTED} and {@link
     *     ResultOutcome#IGNORED_AFTER_RESET} is a protocol error and changed nothing
     */
    public ResultOutcome onDeliverResult(final int seq, final int status) {
        if (state != State.OUTSTANDING || seq != sequence) {
            if (droppedSequence != 0 && seq == droppedSequence) {
                droppedSequence = 0;
                return ResultOutcome.IGNORED_AFTER_RESET;
            }
            return ResultOutcome.UNEXPECTED_SEQUENCE;
        }
        switch (status) {
            case DeliverResultLayout.DELIVERED -> {
                delivered++;
                current = null;
                state = State.IDLE;
                pump();
            }
            case DeliverResultLayout.SLOT_BUSY -> {
                busyAnswers++;
                state = State.SLOT_BUSY;
            }
            default -> {
                return ResultOutcome.UNKNOWN_STATUS;
            }
        }
        return ResultOutcome.ACCEPTED;
    }

    /**
     * Takes a MESSAGE_SLOT_FREE: resends the waiting message if it waits for this slot.
     *
     * @param vp the VP
     * @param sint the SINT
     * @return true if a message was waiting for it; false if it was ignored
     */
    public boolean onSlotFree(final int vp, final int sint) {
        if (state != State.SLOT_BUSY || current.vpIndex() != vp || current.sint() != sint) {
            return false;
        }
        send(current);
        return true;
    }

    /**
     * Forgets every message (a VM reset clears the queue). A DELIVER_RESULT still due for an outstanding message is
     * accepted and ignored.
     */
    public void reset() {
        if (state == State.OUTSTANDING) {
            droppedSequence = sequence;
        }
        current = null;
        state = State.IDLE;
        direct.clear();
    }
}
