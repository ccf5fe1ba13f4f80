package io.jvmbus.host.control;

/**
 * A CONTROL request that cannot be carried out; its message becomes {@code {"ok":false,"error":message}}. It is a
 * checked exception because every caller answers it on the wire.
 */
public final class ControlException extends Exception {

    private static final long serialVersionUID = 1L;

    /** What kind of problem it is. */
    public enum Kind {
        /** Not JSON, not an object, too large or too deep. */
        BAD_JSON,
        /** A field is missing, unknown, or of the wrong type or range. */
        BAD_REQUEST,
        /** The request names something that does not exist (a channel, a VM, a pending request). */
        NOT_FOUND,
        /** The request conflicts with the session's state (a duplicate name, a revoked channel). */
        CONFLICT,
        /** The request is valid but this server does not do it. */
        UNSUPPORTED
    }

    private final Kind kind;

    /**
     * An error.
     *
     * @param kind the category
     * @param message what was wrong, naming the value and the expectation
     */
    public ControlException(final Kind kind, final String message) {
        super(message);
        this.kind = kind;
    }

    /**
     * The category.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }
}
