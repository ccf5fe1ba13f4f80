package io.jvmbus.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/** Sets the root log level from {@code --log-level}. */
final class LogLevel {

    private LogLevel() {}

    /**
     * Applies a level name.
     *
     * @param name error, warn, info, debug or trace (any case)
     * @throws IllegalArgumentException for any other name
     */
    static void apply(final String name) {
        final String n = name.toLowerCase(Locale.ROOT);
        final Level level = switch (n) {
            case "error" -> Level.ERROR;
            case "warn" -> Level.WARN;
            case "info" -> Level.INFO;
            case "debug" -> Level.DEBUG;
            case "trace" -> Level.TRACE;
            default ->
                throw new IllegalArgumentException(
                        "--log-level '" + name + "' (expected: error, warn, info, debug or trace)");
        };
        if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root) {
            root.setLevel(level);
        }
    }
}
