package io.jvmbus.server;

import io.jvmbus.protocol.message.ChannelMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The core's outgoing messages: one strict FIFO for the default target and one for targeted messages, sharing one
 * sequence. Targeted messages are deliverable at once (they may overtake default ones and ignore a pause); default
 * messages only in order, and while the connection is paused only those queued up to and including the
 * PAUSE_RESPONSE (so the guest always gets its PAUSE_RESPONSE: B10). Nothing is ever dropped except by a VM reset.
 */
final class OutgoingQueue {
    private final ArrayDeque<OutgoingMessage> targeted = new ArrayDeque<>();
    private final ArrayDeque<OutgoingMessage> defaults = new ArrayDeque<>();
    private long nextSequence = 1;
    /** While paused: default messages with a sequence up to this one are deliverable. Long.MAX_VALUE = not paused. */
    private long pauseBarrier = Long.MAX_VALUE;

    OutgoingMessage add(final MessageTarget target, final ChannelMessage message) {
        final OutgoingMessage m = new OutgoingMessage(nextSequence++, target, message);
        (target.isDefault() ? defaults : targeted).addLast(m);
        return m;
    }

    int size() {
        return targeted.size() + defaults.size();
    }

    /** Holds every default message queued from now on. */
    void pause() {
        pauseBarrier = nextSequence - 1;
    }

    void resume() {
        pauseBarrier = Long.MAX_VALUE;
    }

    boolean isPaused() {
        return pauseBarrier != Long.MAX_VALUE;
    }

    private boolean defaultHeadDeliverable() {
        final OutgoingMessage head = defaults.peekFirst();
        return head != null && head.sequence() <= pauseBarrier;
    }

    boolean hasDeliverable() {
        return !targeted.isEmpty() || defaultHeadDeliverable();
    }

    OutgoingMessage peek() {
        final OutgoingMessage t = targeted.peekFirst();
        if (t != null) {
            return t;
        }
        return defaultHeadDeliverable() ? defaults.peekFirst() : null;
    }

    boolean remove(final long sequence) {
        final OutgoingMessage t = targeted.peekFirst();
        if (t != null && t.sequence() == sequence) {
            targeted.removeFirst();
            return true;
        }
        final OutgoingMessage d = defaults.peekFirst();
        if (d != null && d.sequence() == sequence) {
            defaults.removeFirst();
            return true;
        }
        return false;
    }

    void clear() {
        targeted.clear();
        defaults.clear();
    }

    /** Every queued message, targeted ones first, each in order, with whether it is held by a pause. */
    List<ServerSnapshot.QueuedMessage> snapshot() {
        final List<ServerSnapshot.QueuedMessage> out = new ArrayList<>(size());
        for (final OutgoingMessage m : targeted) {
            out.add(new ServerSnapshot.QueuedMessage(m.target(), m.message(), false));
        }
        for (final OutgoingMessage m : defaults) {
            out.add(new ServerSnapshot.QueuedMessage(m.target(), m.message(), m.sequence() > pauseBarrier));
        }
        return out;
    }
}
