package io.jvmbus.server;

import java.util.Optional;

/** A GPADL's state (reference §3.9), each with a stable code for saved states. */
public enum GpadlState {
    /** GPADL_HEADER received, GPADL_BODY data still missing. */
    IN_PROGRESS(1),
    /** Complete and sent to the device; waiting for its answer. */
    OFFERED(2),
    /** Sent to the device, but the guest released the channel meanwhile: torn down as soon as it is accepted. */
    OFFERED_TEARING_DOWN(5),
    /** The device accepted it; GPADL_CREATED(success) was sent. */
    ACCEPTED(3),
    /** The device was asked to tear it down; waiting for its answer. */
    TEARING_DOWN(4);

    private final int code;

    GpadlState(final int code) {
        this.code = code;
    }

    /**
     * The stable code.
     *
     * @return the code used in saved states
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
    public static Optional<GpadlState> ofCode(final int code) {
        for (final GpadlState s : values()) {
            if (s.code == code) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
