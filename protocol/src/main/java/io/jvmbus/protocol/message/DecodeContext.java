package io.jvmbus.protocol.message;

import io.jvmbus.protocol.ProtocolVersion;

/**
 * What the decoder needs to know about the connection: the negotiated version (none while Disconnected, Connecting or
 * Disconnecting) and the negotiated feature flags. Gates are applied against it exactly as the reference does.
 *
 * @param negotiated the negotiated version, or {@code null} when no version is in force
 * @param featureFlags the negotiated feature flags (0 below Copper)
 */
public record DecodeContext(ProtocolVersion negotiated, int featureFlags) {

    /** No connection: only INITIATE_CONTACT, VERSION_RESPONSE and CLOSE_RESERVED_CHANNEL parse. */
    public static final DecodeContext DISCONNECTED = new DecodeContext(null, 0);

    /**
     * A connected context.
     *
     * @param version the negotiated version
     * @param featureFlags the negotiated flags
     * @return the context
     */
    public static DecodeContext connected(final ProtocolVersion version, final int featureFlags) {
        return new DecodeContext(java.util.Objects.requireNonNull(version, "version"), featureFlags);
    }

    /**
     * Whether a version is in force.
     *
     * @return true when connected
     */
    public boolean isConnected() {
        return negotiated != null;
    }

    /**
     * Whether the negotiated version is at least {@code v}.
     *
     * @param v the version
     * @return false when not connected
     */
    public boolean atLeast(final ProtocolVersion v) {
        return negotiated != null && negotiated.atLeast(v);
    }
}
