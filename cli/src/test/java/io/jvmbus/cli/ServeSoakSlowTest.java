package io.jvmbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.jvmbus.host.control.ConfigFile;
import io.jvmbus.host.session.SessionEnvironment;
import io.jvmbus.host.transport.HostServer;
import io.jvmbus.testkit.process.ServeProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The soak: 50 VMs of random valid traffic with a quarter of deliveries refused "slot busy", for
 * {@code -Djvmbus.soak.seconds} (60 by default). Run with {@code -Pslow}. Reports messages processed, lost and
 * reordered echoes, and the server's heap after a full collection sampled through the run.
 */
@Tag("slow")
class ServeSoakSlowTest {

    static final int VMS = 50;

    @TempDir
    Path dir;

    static long seconds() {
        return Long.getLong("jvmbus.soak.seconds", 60);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void shouldSoakFiftyVmsInThisJvmWithNothingLostAndAFlatHeap() throws Exception {
        final long seed = Long.getLong("jvmbus.soak.seed", System.nanoTime());
        final long seconds = seconds();
        final List<Long> heap = new ArrayList<>();
        final ListAppender<ILoggingEvent> warnings = ServeSoakTest.captureWarnings();
        try (HostServer server = HostServer.start(new HostServer.Options(
                dir.resolve("soak.sock"), null, SessionEnvironment.defaults(ConfigFile.EMPTY), 256))) {
            final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
            final long period = Math.max(1, seconds / 20);
            sampler.scheduleAtFixedRate(
                    () -> {
                        final ServeStats.Sample s = ServeStats.sample(server.sessionCount());
                        System.out.println("soak " + s.line());
                        synchronized (heap) {
                            heap.add(s.heapAfterGcBytes());
                        }
                    },
                    period,
                    period,
                    TimeUnit.SECONDS);
            final long started = System.nanoTime();
            final SoakDriver.Totals t;
            try {
                t = new SoakDriver(SoakDriver.Options.forDuration(
                                server.socketPath(), dir, VMS, seed, Duration.ofSeconds(seconds)))
                        .run();
            } finally {
                sampler.shutdownNow();
                sampler.awaitTermination(30, TimeUnit.SECONDS);
            }
            final double elapsed = (System.nanoTime() - started) / 1e9;
            final HeapTrend trend;
            synchronized (heap) {
                trend = new HeapTrend(heap);
            }
            System.out.printf(
                    "soak in-process (seed %d, %d VMs, %.0f s): %s; messages=%d (%.0f/s); %s%n",
                    seed, VMS, elapsed, t, t.messages(), t.messages() / elapsed, trend);

            assertThat(t.failures()).as("seed %d: %s", seed, t).isEmpty();
            assertThat(t.lost()).as("seed %d: lost", seed).isZero();
            assertThat(t.reordered()).as("seed %d: reordered", seed).isZero();
            assertThat(t.packetsEchoed()).isEqualTo(t.packetsSent());
            assertThat(t.lives()).as("every VM lived at least once").isGreaterThanOrEqualTo(VMS);
            assertThat(t.busy()).isPositive();
            assertThat(server.awaitSessionCount(0, Duration.ofSeconds(60)))
                    .as("every session ended")
                    .isTrue();
            assertThat(trend.flat()).as("seed %d: %s", seed, trend).isTrue();
            assertThat(ServeSoakTest.messages(warnings)).as("seed %d", seed).isEmpty();
        } finally {
            ((Logger) LoggerFactory.getLogger("io.jvmbus")).detachAppender(warnings);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void shouldSoakFiftyVmsAgainstAServeProcessWithNothingLostAndAFlatHeap() throws Exception {
        final long seed = Long.getLong("jvmbus.soak.seed", System.nanoTime());
        final long seconds = seconds();
        final long period = Math.max(1, seconds / 30);
        final Path socket = dir.resolve("soak.sock");
        final SoakDriver.Totals t;
        final double elapsed;
        final List<String> stats;
        final List<String> complaints;
        // per-session INFO lines (tens of thousands a minute here) stay out of the output: ServeProcess keeps only the
        // first 200,000 lines for waiting on; WARN and ERROR, the stats lines and "listening on" still come
        final Path logback = java.nio.file.Files.writeString(dir.resolve("logback-soak.xml"), """
                <configuration>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{0}: %msg%n</pattern></encoder>
                  </appender>
                  <logger name="io.jvmbus.host.session" level="WARN"/>
                  <logger name="io.jvmbus.host.device" level="WARN"/>
                  <logger name="io.jvmbus.host.transport.SessionConnection" level="WARN"/>
                  <root level="INFO"><appender-ref ref="OUT"/></root>
                </configuration>
                """);
        final ServeProcess.Options how = new ServeProcess.Options(
                socket,
                dir.resolve("logs"),
                List.of("--stats-every", Long.toString(period)),
                List.of("-Dlogback.configurationFile=" + logback),
                Duration.ofSeconds(60),
                Duration.ofSeconds(10));
        try (ServeProcess serve = ServeProcess.start(how)) {
            final long started = System.nanoTime();
            t = new SoakDriver(SoakDriver.Options.forDuration(socket, dir, VMS, seed, Duration.ofSeconds(seconds)))
                    .run();
            elapsed = (System.nanoTime() - started) / 1e9;
            System.out.printf("soak serve process (seed %d): %s%n", seed, t);
            // every session ends: a stats line after the run reports none left
            serve.awaitLine(l -> l.contains(ServeStats.PREFIX + "sessions=0 "), Duration.ofSeconds(period * 3 + 30));
            stats = serve.lines().stream()
                    .filter(l -> l.contains(ServeStats.PREFIX))
                    .toList();
            complaints = serve.lines().stream()
                    .filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
                    .toList();
            System.out.println("soak serve process log: " + serve.log());
        }
        final List<Long> heap = new ArrayList<>();
        for (final String line : stats) {
            if (!line.contains(ServeStats.PREFIX + "sessions=0 ")) {
                heap.add(kib(line, "heap_after_gc_kib=") << 10);
            }
        }
        final HeapTrend trend = new HeapTrend(heap);
        System.out.printf(
                "soak serve process (seed %d, %d VMs, %.0f s): %s; messages=%d (%.0f/s); %s%n",
                seed, VMS, elapsed, t, t.messages(), t.messages() / elapsed, trend);

        assertThat(t.failures()).as("seed %d: %s", seed, t).isEmpty();
        assertThat(t.lost()).as("seed %d: lost", seed).isZero();
        assertThat(t.reordered()).as("seed %d: reordered", seed).isZero();
        assertThat(t.packetsEchoed()).isEqualTo(t.packetsSent());
        assertThat(t.lives()).as("every VM lived at least once").isGreaterThanOrEqualTo(VMS);
        assertThat(t.busy()).isPositive();
        assertThat(trend.flat()).as("seed %d: %s", seed, trend).isTrue();
        assertThat(complaints).as("seed %d: the server's warnings", seed).isEmpty();
    }

    private static long kib(final String line, final String field) {
        final int at = line.indexOf(field) + field.length();
        int end = at;
        while (end < line.length() && Character.isDigit(line.charAt(end))) {
            end++;
        }
        return Long.parseLong(line.substring(at, end));
    }
}
