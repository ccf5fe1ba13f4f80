package io.jvmbus.cli;

import io.jvmbus.host.transport.HostServer;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve --stats-every SECONDS}: a periodic INFO line with the live sessions and the heap the process holds
 * after a full collection, so a long run (the soak) can show that memory stays flat. Each sample asks the JVM for a
 * collection ({@link System#gc()}) first: the figure is then the live set, not whatever garbage the young generation
 * happens to hold. That costs one collection pause per period, which is why it is off by default.
 */
final class ServeStats {

    private static final Logger LOG = LoggerFactory.getLogger(ServeStats.class);

    /** The prefix of every stats line; the soak parses the fields after it. */
    static final String PREFIX = "stats: ";

    /**
     * One sample.
     *
     * @param sessions live sessions
     * @param heapAfterGcBytes heap used right after the collection
     * @param heapCommittedBytes heap committed
     * @param collections collections so far, all collectors
     */
    record Sample(int sessions, long heapAfterGcBytes, long heapCommittedBytes, long collections) {

        /** The log line: {@code stats: sessions=N heap_after_gc_kib=K heap_committed_kib=K collections=N}. */
        String line() {
            return PREFIX + "sessions=" + sessions + " heap_after_gc_kib=" + (heapAfterGcBytes >> 10)
                    + " heap_committed_kib=" + (heapCommittedBytes >> 10) + " collections=" + collections;
        }
    }

    private ServeStats() {}

    /**
     * Collects garbage and samples the heap of this JVM.
     *
     * @param sessions live sessions to report
     * @return the sample
     */
    static Sample sample(final int sessions) {
        System.gc();
        final MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long collections = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            collections += Math.max(0, gc.getCollectionCount());
        }
        return new Sample(sessions, heap.getUsed(), heap.getCommitted(), collections);
    }

    /**
     * Logs a sample every {@code seconds} until the server closes.
     *
     * @param server the server whose sessions are counted
     * @param seconds the period
     */
    static void logEvery(final HostServer server, final int seconds) {
        final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "jvmbus-serve-stats");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(
                () -> LOG.info(sample(server.sessionCount()).line()), seconds, seconds, TimeUnit.SECONDS);
        server.closed().thenRun(timer::shutdownNow);
    }
}
