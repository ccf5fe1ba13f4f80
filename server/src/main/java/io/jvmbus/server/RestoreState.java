package io.jvmbus.server;

import java.util.Optional;

/** A channel's progress through a restore (reference §3.2), each with a stable code. */
public enum RestoreState {
    /** Offered in this run of the server, not from saved state (also the state after any reset). */
    NEW(0),
    /** In the saved state and re-offered by its device; the device has not claimed it yet. */
    RESTORING(1),
    /** In the saved state, but no device has re-offered it yet. */
    UNMATCHED(2),
    /** Fully restored (also set when revoked during a restore). */
    RESTORED(3);

    private final int code;

    RestoreState(final int code) {
        this.code = code;
    }

    /**
     * The stable code.
     *
     * @return the code
     */
    public int code() {
        return code;
    }

    /**
     * Looks a stable code up.
     *
     * @param code the code
     * @return the state, or empty for an unknown code
     */
    public static Optional<RestoreState> ofCode(final int code) {
        for (final RestoreState s : values()) {
            if (s.code == code) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
