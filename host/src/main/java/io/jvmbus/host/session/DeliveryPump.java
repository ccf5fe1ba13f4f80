package io.jvmbus.host.session;

import io.jvmbus.protocol.transport.DeliverResultLayout;
import io.jvmbus.protocol.transport.ServerFrame;
import java.util.function.Consumer;

/**
 * Message flow control of one session (host-transport.md, "Message flow control"). At most one DELIVER_MESSAGE is
 * outstanding; the next goes out only after the DELIVER_RESULT with its sequence. A busy result keeps the message and
 * sends it again after the next MESSAGE_SLOT_FREE for its vp and sint; a MESSAGE_SLOT_FREE nothing waits for is
 * ignored.
 *
 * <p>The messages live in a {@link Source}: the channel server core's outgoing queue. The pump only peeks at the head
 * and removes it once the guest has it, so the core keeps every message, in order, until it is delivered (a busy
 * message and everything behind it stay queued), reports back-pressure while any waits, and bounds the queue. The
 * pump itself holds a reference to at most one message: its memory use is constant.
 *
 * <p>Single-threaded: the session's worker calls every method.
 */
public final class DeliveryPump {

    /** Where messages wait. */
    public interface Source {
        /**
         * The next message to deliver; it stays queued.
         *
         * @return the message, or {@code null} if none is deliverable
         */
        OutgoingMessage peek();

        /**
         * The guest has the message: remove it.
         *
         * @param message the message {@link #peek()} returned
         */
        void delivered(OutgoingMessage message);
    }

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

    private final Source source;
    private final Consumer<ServerFrame.DeliverMessage> sink;

    private State state = State.IDLE;
    private OutgoingMessage current;
    private int sequence;
    /** The sequence of a message a reset dropped while it was outstanding, or 0. */
    private int droppedSequence;

    private long delivered;
    private long busyAnswers;

    /**
     * A pump.
     *
     * @param source the queue it delivers from
     * @param sink sends a DELIVER_MESSAGE frame
     */
    public DeliveryPump(final Source source, final Consumer<ServerFrame.DeliverMessage> sink) {
        this.source = source;
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
     * The message in flight or waiting for its slot.
     *
     * @return the message, or {@code null} when idle
     */
    public OutgoingMessage current() {
        return current;
    }

    /**
     * The sequence of the last DELIVER_MESSAGE sent.
     *
     * @return the sequence, 0 before the first
     */
    public int lastSequence() {
        return sequence;
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

    /** Sends the next message if nothing is outstanding or waiting for a slot; call whenever the source may have one. */
    public void pump() {
        if (state != State.IDLE) {
            return;
        }
        final OutgoingMessage next = source.peek();
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
                final OutgoingMessage done = current;
                current = null;
                state = State.IDLE;
                source.delivered(done);
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
     * Forgets the message in hand (a VM reset cleared the source). A DELIVER_RESULT still due for an outstanding
     * message is accepted and ignored.
     */
    public void reset() {
        if (state == State.OUTSTANDING) {
            droppedSequence = sequence;
        }
        current = null;
        state = State.IDLE;
    }
}
