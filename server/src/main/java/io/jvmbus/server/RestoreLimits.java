package io.jvmbus.server;

import io.jvmbus.protocol.ProtocolVersion;
import java.util.Objects;

/**
 * What a restore accepts beyond the server's own configuration (reference {@code set_restore_compatibility_version}):
 * a version ceiling and a feature mask that may differ from the ones new connections get (so a newer feature can be
 * restorable for a rollback before it is enabled), and a bound on the blob's size.
 *
 * <p>Feature flags are always checked against what this server can honour (the set it negotiates: reference B5), then
 * against {@link #maxFeatureFlags}.
 *
 * @param maxVersion the highest connection (or reserved channel) version restored
 * @param maxFeatureFlags flags outside this mask are refused
 * @param maxBlobBytes the largest blob decoded
 */
public record RestoreLimits(ProtocolVersion maxVersion, int maxFeatureFlags, int maxBlobBytes) {

    /** The default bound on a blob: 64 MiB (a full server with default limits saves well under 40 MiB). */
    public static final int DEFAULT_MAX_BLOB_BYTES = 64 << 20;

    /**
     * Validates the fields.
     *
     * @throws IllegalArgumentException if {@code maxBlobBytes} is not positive
     */
    public RestoreLimits {
        Objects.requireNonNull(maxVersion, "maxVersion");
        if (maxBlobBytes <= 0) {
            throw new IllegalArgumentException("maxBlobBytes=" + maxBlobBytes + " (expected: > 0)");
        }
    }

    /**
     * Every version, every flag the server can honour, 64 MiB.
     *
     * @return the limits
     */
    public static RestoreLimits defaults() {
        final ProtocolVersion[] all = ProtocolVersion.values();
        return new RestoreLimits(all[all.length - 1], 0xFFFFFFFF, DEFAULT_MAX_BLOB_BYTES);
    }

    /**
     * A copy with another version ceiling and feature mask.
     *
     * @param version the ceiling
     * @param featureMask the mask
     * @return the copy
     */
    public RestoreLimits withMaxVersion(final ProtocolVersion version, final int featureMask) {
        return new RestoreLimits(version, featureMask, maxBlobBytes);
    }
}
