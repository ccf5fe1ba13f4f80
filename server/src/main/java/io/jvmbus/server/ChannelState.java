package io.jvmbus.server;

import java.util.Optional;

/**
 * A channel's state (reference §3.2), each with a stable code for saved states. Opening, Open and Closing may carry
 * the {@link ReservedState} attribute, which makes them the reserved variants.
 */
public enum ChannelState {
    /** Offered by its device, not (or no longer) offered to the guest; holds no channel id. */
    CLIENT_RELEASED(0),
    /** Offered to the guest, not open. */
    CLOSED(1),
    /** The guest asked to open; the device was asked; waiting for its answer. */
    OPENING(2),
    /** Open on both sides. */
    OPEN(3),
    /** The device was asked to close; waiting for its answer. */
    CLOSING(4),
    /** Closing, and the guest already asked to open again (there is no close-complete message). */
    CLOSING_REOPEN(5),
    /** The device revoked it; the guest was sent RESCIND; waiting for REL_ID_RELEASED. */
    REVOKED(6),
    /** Revoked, and the device offered the same key again; the new offer goes out when the guest releases the id. */
    REOFFERED(7),
    /** The guest released it (or disconnected) while a device close is pending; holds no channel id. */
    CLOSING_CLIENT_RELEASE(8),
    /** The guest released it (or disconnected) while a device open is pending; holds no channel id. */
    OPENING_CLIENT_RELEASE(9);

    private final int code;

    ChannelState(final int code) {
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
    public static Optional<ChannelState> ofCode(final int code) {
        for (final ChannelState s : values()) {
            if (s.code == code) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether the guest no longer holds the channel id (the channel has none).
     *
     * @return true for the three released states
     */
    public boolean isReleased() {
        return this == CLIENT_RELEASED || this == CLOSING_CLIENT_RELEASE || this == OPENING_CLIENT_RELEASE;
    }

    /**
     * Whether the device revoked the channel while the guest still holds its id.
     *
     * @return true for {@link #REVOKED} and {@link #REOFFERED}
     */
    public boolean isRevoked() {
        return this == REVOKED || this == REOFFERED;
    }

    /**
     * Whether a state may carry the reserved attribute.
     *
     * @return true for Opening, Open, Closing
     */
    public boolean mayBeReserved() {
        return this == OPENING || this == OPEN || this == CLOSING;
    }

    /**
     * Whether the state machine may go from this state to {@code next}.
     *
     * @param next the new state
     * @return true for an edge of the channel state diagram
     */
    public boolean canBecome(final ChannelState next) {
        return switch (this) {
            case CLIENT_RELEASED -> next == CLOSED;
            case CLOSED -> next == OPENING || next == CLIENT_RELEASED || next == REVOKED;
            case OPENING -> next == OPEN || next == CLOSED || next == OPENING_CLIENT_RELEASE || next == REVOKED;
            case OPEN -> next == CLOSING || next == CLOSING_CLIENT_RELEASE || next == REVOKED;
            case CLOSING ->
                next == CLOSED || next == CLOSING_REOPEN || next == CLOSING_CLIENT_RELEASE || next == REVOKED;
            case CLOSING_REOPEN -> next == CLOSED || next == CLOSING_CLIENT_RELEASE || next == REVOKED;
            case REVOKED -> next == REOFFERED || next == CLIENT_RELEASED;
            case REOFFERED -> next == REVOKED || next == CLOSED || next == CLIENT_RELEASED;
            case CLOSING_CLIENT_RELEASE -> next == CLIENT_RELEASED;
            case OPENING_CLIENT_RELEASE -> next == CLOSING_CLIENT_RELEASE || next == CLIENT_RELEASED;
        };
    }
}
