package io.jvmbus.server;

import java.util.Objects;

/**
 * A refused restore or claim: the kind, and a description naming the value and the expectation.
 *
 * @param kind the kind
 * @param detail the description
 */
public record RestoreError(RestoreErrorKind kind, String detail) {

    /** Validates the fields. */
    public RestoreError {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
        return kind + ": " + detail;
    }
}
