package io.jvmbus.server;

import java.util.Objects;

/**
 * The attribute that makes an Opening, Open or Closing channel reserved: the version of the connection that opened
 * it, and where its OPEN_CHANNEL_RESULT / CLOSE_RESERVED_RESPONSE go.
 *
 * @param version the connection's version and flags at the reserved open
 * @param vp the target VP
 * @param sint the target SINT (0..255)
 */
public record ReservedState(VersionInfo version, int vp, int sint) {

    /** Validates the fields. */
    public ReservedState {
        Objects.requireNonNull(version, "version");
        if ((sint & ~0xFF) != 0) {
            throw new IllegalArgumentException("sint=" + sint + " (expected: 0..255)");
        }
    }

    /**
     * The same version with another target (CLOSE_RESERVED_CHANNEL names its own).
     *
     * @param newVp the VP
     * @param newSint the SINT
     * @return the copy
     */
    public ReservedState withTarget(final int newVp, final int newSint) {
        return new ReservedState(version, newVp, newSint);
    }
}
