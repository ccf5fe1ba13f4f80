package io.jvmbus.protocol.transport;

/**
 * The {@code code} of an ERROR frame. The spec leaves the values to the server; these are stable and documented in
 * the host module's README. Each names what was wrong with the frame it answers.
 */
public enum TransportError {
    /** The header's length is over 16 MiB; the session ends after this ERROR. */
    FRAME_TOO_LARGE(1),
    /** The kind names no frame the receiving side accepts. */
    UNKNOWN_KIND(2),
    /** The body has the wrong size for its kind, or its fields contradict each other (e.g. a bad str). */
    MALFORMED(3),
    /** A frame the session cannot take now: anything before HELLO, a second HELLO, a stray DELIVER_RESULT. */
    UNEXPECTED(4),
    /** HELLO asked for a transport version other than 1. */
    UNSUPPORTED_VERSION(5),
    /** A frame this server does not implement yet. */
    NOT_IMPLEMENTED(6),
    /** HELLO named guest RAM the server could not map. */
    RAM_UNAVAILABLE(7),
    /** RESTORE refused: corrupt, truncated or unknown saved state, or too late in the session. */
    RESTORE_REFUSED(8),
    /** SAVE refused. */
    SAVE_REFUSED(9),
    /** The server failed while handling the frame; the session ends after this ERROR. */
    INTERNAL(10);

    private final int code;

    TransportError(final int code) {
        this.code = code;
    }

    /**
     * The wire value.
     *
     * @return the u32 {@code code} of the ERROR frame
     */
    public int code() {
        return code;
    }

    /**
     * Looks a wire value up.
     *
     * @param code the ERROR frame's code
     * @return the error, or {@code null} if unknown
     */
    public static TransportError of(final int code) {
        for (final TransportError e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return null;
    }
}
