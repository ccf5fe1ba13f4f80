package io.jvmbus.client;

/** A guest operation that did not succeed, with a kind a caller can switch on. */
public final class GuestException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why an operation failed. */
    public enum Kind {
        /** The host did not answer in time. */
        TIMEOUT,
        /** The host answered with a failure status (or refused every version). */
        REFUSED,
        /** The hypervisor refused the post (a status other than success or insufficient buffers). */
        POST_FAILED,
        /** The operation is not allowed in the current state or version (a caller error). */
        INVALID_STATE,
        /** Guest RAM is exhausted. */
        NO_MEMORY,
        /** A ring is corrupt or a packet does not fit. */
        RING,
        /** The transport failed (socket closed, I/O error). */
        TRANSPORT
    }

    private final Kind kind;

    /**
     * A failure.
     *
     * @param kind the class
     * @param message what failed, naming the value and the expectation
     */
    public GuestException(final Kind kind, final String message) {
        super(kind + ": " + message);
        this.kind = kind;
    }

    /**
     * A failure with a cause.
     *
     * @param kind the class
     * @param message what failed
     * @param cause the cause
     */
    public GuestException(final Kind kind, final String message, final Throwable cause) {
        super(kind + ": " + message, cause);
        this.kind = kind;
    }

    /**
     * The class of failure.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }
}
