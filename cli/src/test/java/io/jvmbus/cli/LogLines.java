package io.jvmbus.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/**
 * The formatted messages the server logs in this JVM (loggers under {@code io.jvmbus}) from a level up, kept for
 * assertions; a test can wait, with a deadline, for a line that is logged on another thread.
 */
final class LogLines extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    private final Level threshold;
    private final List<String> lines = new ArrayList<>();

    private LogLines(final Level threshold) {
        this.threshold = threshold;
    }

    /**
     * Starts collecting.
     *
     * @param threshold the lowest level kept
     * @return the collector, attached to the {@code io.jvmbus} logger
     */
    static LogLines capture(final Level threshold) {
        final LogLines l = new LogLines(threshold);
        l.setContext(((Logger) LoggerFactory.getLogger("io.jvmbus")).getLoggerContext());
        l.start();
        ((Logger) LoggerFactory.getLogger("io.jvmbus")).addAppender(l);
        return l;
    }

    @Override
    protected void append(final ILoggingEvent e) {
        if (e.getLevel().isGreaterOrEqual(threshold)) {
            synchronized (lines) {
                lines.add(e.getFormattedMessage());
                lines.notifyAll();
            }
        }
    }

    /** The lines so far. */
    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /**
     * Waits for a line that matches.
     *
     * @param match the line wanted
     * @param timeout the longest wait
     * @return the first matching line
     * @throws AssertionError if none came in time (with the lines seen)
     */
    String await(final Predicate<String> match, final Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (true) {
                for (final String l : lines) {
                    if (match.test(l)) {
                        return l;
                    }
                }
                final long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no such log line within " + timeout + " in " + lines);
                }
                lines.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    @Override
    public void close() {
        ((Logger) LoggerFactory.getLogger("io.jvmbus")).detachAppender(this);
        stop();
    }
}
