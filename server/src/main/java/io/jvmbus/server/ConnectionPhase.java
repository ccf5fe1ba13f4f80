package io.jvmbus.server;

import java.util.Optional;

/**
 * The connection state machine's states (reference §2.1), each with a stable code for saved states.
 *
 * <pre>
 *  DISCONNECTED --INITIATE_CONTACT--&gt; CONNECTING --relay: supported--&gt; CONNECTED
 *       ^  |                              |                               |
 *       |  +--reset/reconnect while       +--relay: failed/unsupported    | UNLOAD, INITIATE_CONTACT, reset
 *       |     channels still close--+        (back to DISCONNECTED)       v
 *       +---------relay acknowledged the reset request--------------- DISCONNECTING
 * </pre>
 */
public enum ConnectionPhase {
    /** No client. Only reserved channels can still be open. */
    DISCONNECTED(0),
    /** A version was accepted locally; waiting for the host/relay to confirm the connect request. */
    CONNECTING(1),
    /** Negotiated. Sub-flags: offers sent, modifying, paused. */
    CONNECTED(2),
    /** Tearing down: waiting for channels and GPADLs to be released, then for the reset request's answer. */
    DISCONNECTING(3);

    private final int code;

    ConnectionPhase(final int code) {
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
     * @return the phase, or empty for an unknown code
     */
    public static Optional<ConnectionPhase> ofCode(final int code) {
        for (final ConnectionPhase p : values()) {
            if (p.code == code) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether the state machine may go from this phase to {@code next}.
     *
     * @param next the new phase
     * @return true for an edge of the diagram
     */
    public boolean canBecome(final ConnectionPhase next) {
        return switch (this) {
            case DISCONNECTED -> next == CONNECTING || next == DISCONNECTING;
            case CONNECTING -> next == CONNECTED || next == DISCONNECTED;
            case CONNECTED -> next == DISCONNECTING;
            case DISCONNECTING -> next == DISCONNECTED;
        };
    }
}
