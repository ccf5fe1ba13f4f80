package io.jvmbus.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.server.ServicingWorld.Ev;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bounded exhaustive exploration of servicing: from the canonical start of {@link ServicingWorld} (three devices, one
 * of them answering late), every sequence of events up to a depth, breadth first, states deduplicated by the core's
 * saved bytes plus the models outside it. At every reachable state:
 *
 * <ol>
 *   <li>save, restore into a fresh server with the same devices (some offered before the restore, some after), let
 *       each claim its channel with its own open state, revoke the unclaimed;
 *   <li>the restored core's {@code inspect()} equals the original's (restore states aside) and saves the same bytes;
 *       the restore re-sent to each device exactly the requests that device still owes an answer to, and re-issued
 *       exactly the relay and hvsocket requests still outstanding;
 *   <li>for every event of the alphabet, the original and the restored world produce the same output and reach the
 *       same state.
 * </ol>
 */
final class ServicingExplorerTest {

    /** Depth of the default run (chosen to finish in about a minute on the 2-core build machine). */
    static final int DEFAULT_DEPTH = 3;

    /** Depth of the run tagged slow. */
    static final int SLOW_DEPTH = 5;

    @Test
    @Timeout(600)
    void shouldRestoreEveryReachableStateFaithfully() {
        final Report r = explore(Integer.getInteger("jvmbus.explorer.depth", DEFAULT_DEPTH));
        report("default", r);
        assertThat(r.states).isGreaterThan(1000);
        assertCoverage(r);
    }

    @Test
    @Tag("slow")
    @Timeout(3600)
    void shouldRestoreEveryReachableStateFaithfullyDeeper() {
        final Report r = explore(SLOW_DEPTH);
        report("slow", r);
        assertCoverage(r);
        assertThat(r.channelStates).containsKey("CLOSING_REOPEN");
    }

    /** What an exploration saw. */
    static final class Report {
        int states;
        long transitions;
        final Map<ConnectionPhase, Integer> byPhase = new EnumMap<>(ConnectionPhase.class);
        final Map<String, Integer> channelStates = new TreeMap<>();
        final Map<GpadlState, Integer> gpadlStates = new EnumMap<>(GpadlState.class);
        int withQueuedMessages;
        int withHvsock;
        int reservedWhileDisconnected;
    }

    private static void report(final String name, final Report r) {
        System.out.println("servicing explorer (" + name + "): " + r.states + " distinct states, " + r.transitions
                + " transitions checked; phases " + r.byPhase + "; channel states " + r.channelStates
                + "; gpadl states " + r.gpadlStates + "; with queued messages " + r.withQueuedMessages
                + "; with hvsock requests " + r.withHvsock + "; reserved open while disconnected "
                + r.reservedWhileDisconnected);
    }

    /** The exploration reached the states servicing is about. */
    private static void assertCoverage(final Report r) {
        assertThat(r.byPhase.keySet()).containsExactlyInAnyOrder(ConnectionPhase.values());
        assertThat(r.channelStates)
                .containsKeys(
                        "CLOSED",
                        "OPENING",
                        "OPEN",
                        "CLOSING",
                        "OPEN_RESERVED",
                        "OPENING_RESERVED",
                        "CLOSING_RESERVED",
                        "REVOKED",
                        "REOFFERED",
                        "CLOSING_CLIENT_RELEASE",
                        "OPENING_CLIENT_RELEASE");
        assertThat(r.gpadlStates).containsKeys(GpadlState.IN_PROGRESS, GpadlState.OFFERED, GpadlState.ACCEPTED);
        assertThat(r.withQueuedMessages).isPositive();
        assertThat(r.withHvsock).isPositive();
        assertThat(r.reservedWhileDisconnected).isPositive();
    }

    /**
     * The canonical starts: no connection; a firmware-like client connected at Win10 that enumerated; an OS-like
     * client connected at Copper (0x80 negotiated) that enumerated. Depths count events after the start.
     */
    static final List<List<Ev>> STARTS = List.of(
            List.of(),
            List.of(Ev.G_CONNECT_WIN10, Ev.H_RELAY_ACK, Ev.G_REQUEST_OFFERS),
            List.of(Ev.G_CONNECT_COPPER, Ev.H_RELAY_ACK, Ev.G_REQUEST_OFFERS));

    static Report explore(final int depth) {
        final Report report = new Report();
        // Each distinct state is checked once, and expanded again only if reached with more depth left.
        final Map<String, Integer> left = new HashMap<>();
        final Set<String> checked = new HashSet<>();
        for (final List<Ev> start : STARTS) {
            final ArrayDeque<List<Ev>> frontier = new ArrayDeque<>();
            final ArrayDeque<Integer> budget = new ArrayDeque<>();
            final String startKey = ServicingWorld.replay(start).key();
            if (left.getOrDefault(startKey, -1) < depth) {
                left.put(startKey, depth);
                frontier.add(start);
                budget.add(depth);
            }
            while (!frontier.isEmpty()) {
                final List<Ev> path = frontier.pollFirst();
                final int remaining = budget.pollFirst();
                final ServicingWorld original = ServicingWorld.replay(path);
                final boolean fresh = checked.add(original.key());
                final byte[] blob = original.server.save();
                final int lateOffers = path.size();
                if (fresh) {
                    count(report, original);
                    check(path, original, blob, lateOffers);
                } else if (remaining == 0) {
                    continue;
                }
                for (final Ev e : Ev.values()) {
                    final ServicingWorld next = ServicingWorld.replay(path);
                    next.apply(e);
                    if (fresh) {
                        final ServicingWorld restored = original.serviced(blob, lateOffers);
                        restored.apply(e);
                        report.transitions++;
                        assertSame(path, e, next, restored);
                    }
                    if (remaining == 0) {
                        continue;
                    }
                    final String key = next.key();
                    if (left.getOrDefault(key, -1) < remaining - 1) {
                        left.put(key, remaining - 1);
                        final List<Ev> longer = new ArrayList<>(path);
                        longer.add(e);
                        frontier.addLast(longer);
                        budget.addLast(remaining - 1);
                    }
                }
            }
        }
        return report;
    }

    /** The restored world equals the original, and the restore re-sent exactly what was owed. */
    private static void check(
            final List<Ev> path, final ServicingWorld original, final byte[] blob, final int lateOffers) {
        final ServicingWorld restored = original.serviced(blob, lateOffers);
        final List<String> reissued = new ArrayList<>(restored.reissued);
        reissued.sort(null);
        assertThat(reissued)
                .as("device requests re-sent by the restore after %s", path)
                .isEqualTo(original.owedAsReissued());
        assertThat(restored.models()).as("models after %s", path).isEqualTo(original.models());
        assertThat(ServicingWorld.comparable(restored.server.inspect()))
                .as("inspect after %s", path)
                .isEqualTo(ServicingWorld.comparable(original.server.inspect()));
        assertThat(restored.server.save()).as("saved bytes after %s", path).isEqualTo(blob);
    }

    private static void assertSame(
            final List<Ev> path, final Ev e, final ServicingWorld original, final ServicingWorld restored) {
        assertThat(restored.out).as("output of %s after %s", e, path).isEqualTo(original.out);
        assertThat(restored.models()).as("models after %s then %s", path, e).isEqualTo(original.models());
        assertThat(ServicingWorld.comparable(restored.server.inspect()))
                .as("inspect after %s then %s", path, e)
                .isEqualTo(ServicingWorld.comparable(original.server.inspect()));
    }

    private static void count(final Report r, final ServicingWorld w) {
        r.states++;
        final ServerSnapshot s = w.server.inspect();
        r.byPhase.merge(s.connection().phase(), 1, Integer::sum);
        for (final ServerSnapshot.ChannelSnapshot c : s.channels()) {
            r.channelStates.merge(c.stateName(), 1, Integer::sum);
            if (c.reserved() != null && s.connection().phase() == ConnectionPhase.DISCONNECTED) {
                r.reservedWhileDisconnected++;
            }
        }
        for (final ServerSnapshot.GpadlSnapshot g : s.gpadls()) {
            r.gpadlStates.merge(g.state(), 1, Integer::sum);
        }
        if (!s.outgoing().isEmpty()) {
            r.withQueuedMessages++;
        }
        if (!s.hvsockRequests().isEmpty()) {
            r.withHvsock++;
        }
    }
}
