package io.jvmbus.host.transport;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The live sessions of one server, for cross-session inspect and shutdown, and a bounded record of the sessions that
 * ended most recently (their last state, for {@code {"op":"inspect","vm":NAME}} after the VM has gone). Thread-safe.
 */
final class SessionRegistry {

    /** How many ended sessions are remembered (the oldest record is dropped first). */
    static final int ENDED_RECORDS = 32;

    /**
     * What a session left behind when it ended.
     *
     * @param id the session id
     * @param vm the VM name from its HELLO ("" if none came)
     * @param reason why it ended
     * @param lastState its state just before its resources were released (the {@code "state"} of an inspect)
     */
    record Ended(long id, String vm, String reason, ObjectNode lastState) {}

    private final ConcurrentHashMap<Long, SessionConnection> sessions = new ConcurrentHashMap<>();
    private final Object changed = new Object();
    /** Guarded by {@link #changed}: oldest first, at most {@link #ENDED_RECORDS}. */
    private final ArrayDeque<Ended> ended = new ArrayDeque<>();

    void add(final SessionConnection s) {
        sessions.put(s.id(), s);
        signal();
    }

    void remove(final SessionConnection s) {
        sessions.remove(s.id(), s);
        signal();
    }

    /**
     * Removes an ended session and records what it left, in one step: an inspect sees it either live or ended, never
     * neither.
     */
    void ended(final SessionConnection s, final Ended record) {
        synchronized (changed) {
            if (!record.vm().isEmpty()) {
                if (ended.size() == ENDED_RECORDS) {
                    ended.removeFirst();
                }
                ended.addLast(record);
            }
            sessions.remove(s.id(), s);
            changed.notifyAll();
        }
    }

    /** The remembered ended sessions whose HELLO named {@code vm} (a name, never {@code "*"}), oldest first. */
    List<Ended> endedMatching(final String vm) {
        synchronized (changed) {
            final List<Ended> list = new ArrayList<>();
            for (final Ended e : ended) {
                if (e.vm().equals(vm)) {
                    list.add(e);
                }
            }
            return list;
        }
    }

    private void signal() {
        synchronized (changed) {
            changed.notifyAll();
        }
    }

    int size() {
        return sessions.size();
    }

    /** Waits until exactly {@code count} sessions live, at most {@code timeoutMillis}. */
    boolean awaitSize(final int count, final long timeoutMillis) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (changed) {
            while (sessions.size() != count) {
                final long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                changed.wait(left);
            }
            return true;
        }
    }

    List<SessionConnection> all() {
        final List<SessionConnection> list = new ArrayList<>(sessions.values());
        list.sort(Comparator.comparingLong(SessionConnection::id));
        return list;
    }

    /**
     * The live sessions whose HELLO named {@code vm} ({@code "*"}: every one), except {@code asking}, and, for a name,
     * the remembered ended sessions of that name; both taken at one instant.
     */
    Matches matching(final String vm, final SessionConnection asking) {
        synchronized (changed) {
            final List<SessionConnection> list = new ArrayList<>();
            for (final SessionConnection s : all()) {
                if (s != asking && (vm.equals("*") || vm.equals(s.vmName()))) {
                    list.add(s);
                }
            }
            return new Matches(list, vm.equals("*") ? List.of() : endedMatching(vm));
        }
    }

    /**
     * The sessions an inspect names.
     *
     * @param live live sessions, by id
     * @param ended ended sessions, oldest first
     */
    record Matches(List<SessionConnection> live, List<Ended> ended) {}
}
