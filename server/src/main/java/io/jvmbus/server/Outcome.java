package io.jvmbus.server;

/**
 * The result of one input: handled, or rejected with a typed error. A rejection may still have produced the
 * protocol's negative reply (e.g. GPADL_CREATED with a failure status); it never leaves partial state behind.
 */
public sealed interface Outcome {

    /** Handled. */
    record Ok() implements Outcome {}

    /**
     * Rejected or ignored.
     *
     * @param error why
     */
    record Rejected(ServerError error) implements Outcome {}

    /** The shared success value. */
    Outcome OK = new Ok();

    /**
     * Whether the input was handled.
     *
     * @return true for {@link Ok}
     */
    default boolean isOk() {
        return this instanceof Ok;
    }

    /**
     * The error kind, or {@code null} for {@link Ok}.
     *
     * @return the kind
     */
    default ErrorKind errorKind() {
        return this instanceof Rejected r ? r.error().kind() : null;
    }
}
