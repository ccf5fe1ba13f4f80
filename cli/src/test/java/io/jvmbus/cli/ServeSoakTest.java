package io.jvmbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.jvmbus.host.control.ConfigFile;
import io.jvmbus.host.session.SessionEnvironment;
import io.jvmbus.host.transport.HostServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The soak in the default suite: a fixed amount of random valid traffic (not a time) from 8 VMs against a real server
 * over its Unix socket, a quarter of deliveries refused "slot busy". The long runs are {@link ServeSoakSlowTest}.
 */
@Timeout(120)
class ServeSoakTest {

    @TempDir
    Path dir;

    private HostServer server;
    private ListAppender<ILoggingEvent> warnings;

    @BeforeEach
    void start() throws Exception {
        server = HostServer.start(new HostServer.Options(
                dir.resolve("soak.sock"), null, SessionEnvironment.defaults(ConfigFile.EMPTY), 256));
        warnings = captureWarnings();
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger("io.jvmbus")).detachAppender(warnings);
        server.close();
    }

    /** Collects WARN and ERROR events of the server's loggers: valid traffic must cause none. */
    static ListAppender<ILoggingEvent> captureWarnings() {
        final ListAppender<ILoggingEvent> list = new ListAppender<>();
        list.addFilter(new ch.qos.logback.core.filter.Filter<>() {
            @Override
            public ch.qos.logback.core.spi.FilterReply decide(final ILoggingEvent e) {
                return e.getLevel().isGreaterOrEqual(Level.WARN)
                        ? ch.qos.logback.core.spi.FilterReply.NEUTRAL
                        : ch.qos.logback.core.spi.FilterReply.DENY;
            }
        });
        list.start();
        ((Logger) LoggerFactory.getLogger("io.jvmbus")).addAppender(list);
        return list;
    }

    static List<String> messages(final ListAppender<ILoggingEvent> list) {
        synchronized (list.list) {
            return list.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Test
    void shouldLoseOrReorderNothingUnderRandomTrafficFromEightVmsWithBusyDeliveries() throws Exception {
        final long seed = Long.getLong("jvmbus.soak.seed", System.nanoTime());
        final SoakDriver.Totals t =
                new SoakDriver(SoakDriver.Options.forLives(server.socketPath(), dir, 8, seed, 3)).run();

        assertThat(t.failures()).as("seed %d: %s", seed, t).isEmpty();
        assertThat(t.lost()).as("seed %d: lost", seed).isZero();
        assertThat(t.reordered()).as("seed %d: reordered", seed).isZero();
        assertThat(t.lives()).isEqualTo(8 * 3);
        assertThat(t.packetsEchoed()).as("seed %d", seed).isEqualTo(t.packetsSent());
        assertThat(t.busy())
                .as("seed %d: a quarter of %d deliveries refused", seed, t.deliveries())
                .isPositive();
        assertThat(server.awaitSessionCount(0, Duration.ofSeconds(30)))
                .as("every session ended")
                .isTrue();
        assertThat(messages(warnings))
                .as("seed %d: warnings under valid traffic", seed)
                .isEmpty();
    }
}
