package io.jvmbus.server;

import java.util.Objects;

/**
 * A rejected input: the kind, and a description naming the values and the expectation.
 *
 * @param kind the kind (which carries the scope)
 * @param detail the description
 */
public record ServerError(ErrorKind kind, String detail) {

    /** Validates the fields. */
    public ServerError {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
        return kind + " (" + kind.scope() + "): " + detail;
    }
}
