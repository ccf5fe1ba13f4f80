package io.jvmbus.host.transport;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** The live sessions of one server, for cross-session inspect and shutdown. Thread-safe. */
final class SessionRegistry {

    private final ConcurrentHashMap<Long, SessionConnection> sessions = new ConcurrentHashMap<>();
    private final Object changed = new Object();

    void add(final SessionConnection s) {
        sessions.put(s.id(), s);
        signal();
    }

    void remove(final SessionConnection s) {
        sessions.remove(s.id(), s);
        signal();
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

    /** The sessions whose HELLO named {@code vm} ({@code "*"}: every one), except {@code asking}. */
    List<SessionConnection> matching(final String vm, final SessionConnection asking) {
        final List<SessionConnection> list = new ArrayList<>();
        for (final SessionConnection s : all()) {
            if (s != asking && (vm.equals("*") || vm.equals(s.vmName()))) {
                list.add(s);
            }
        }
        return list;
    }
}
