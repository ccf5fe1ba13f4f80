package io.jvmbus.server;

import io.jvmbus.protocol.ProtocolVersion;
import java.util.Objects;

/**
 * A negotiated protocol version and its feature flags (always 0 below Copper).
 *
 * @param version the version
 * @param featureFlags the negotiated Copper feature flags
 */
public record VersionInfo(ProtocolVersion version, int featureFlags) {

    /**
     * Validates the pair.
     *
     * @throws IllegalArgumentException if flags are set below Copper
     */
    public VersionInfo {
        Objects.requireNonNull(version, "version");
        if (!version.atLeast(ProtocolVersion.COPPER) && featureFlags != 0) {
            throw new IllegalArgumentException("featureFlags=0x" + Integer.toHexString(featureFlags) + " for " + version
                    + " (expected: 0 below Copper)");
        }
    }

    /**
     * Whether the version is at least {@code other}.
     *
     * @param other the version
     * @return {@code version >= other}
     */
    public boolean atLeast(final ProtocolVersion other) {
        return version.atLeast(other);
    }

    /**
     * Whether every bit of {@code flag} was negotiated.
     *
     * @param flag feature bits
     * @return true if all are set
     */
    public boolean has(final int flag) {
        return (featureFlags & flag) == flag;
    }
}
