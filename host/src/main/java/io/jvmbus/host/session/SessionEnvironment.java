package io.jvmbus.host.session;

import io.jvmbus.host.control.ConfigFile;
import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.server.ServerConfig;

/**
 * What every session of one server shares: the configured devices, how guest RAM is mapped, and the channel server
 * core's configuration. Immutable.
 *
 * @param config the devices every session starts with ({@code --config})
 * @param ramMapper maps HELLO's RAM file
 * @param core the configuration of each session's channel server core
 */
public record SessionEnvironment(ConfigFile config, GuestRamMapper ramMapper, ServerConfig core) {

    /** Validates the fields. */
    public SessionEnvironment {
        if (config == null || ramMapper == null || core == null) {
            throw new IllegalArgumentException("config, ramMapper and core are required (expected: non-null)");
        }
    }

    /**
     * The defaults of {@code jvmbus serve}: the given devices, RAM mapped from HELLO's file, the core's defaults.
     *
     * @param config the devices
     * @return the environment
     */
    public static SessionEnvironment defaults(final ConfigFile config) {
        return new SessionEnvironment(config, MappedFileRam::map, ServerConfig.defaults());
    }

    /**
     * The highest VMBus protocol version HELLO_OK announces.
     *
     * @return {@code major << 16 | minor}
     */
    public int maxVersion() {
        return core.maxVersion().code();
    }

    /**
     * The feature flags HELLO_OK announces: those the core can negotiate (confidential channels only on a trusted
     * connection, GPA pinning only when configured), within its mask.
     *
     * @return the flags
     */
    public int featureFlags() {
        return (FeatureFlags.ALWAYS_SUPPORTED
                        | FeatureFlags.CONFIDENTIAL_CHANNELS
                        | (core.gpaPinning() ? FeatureFlags.GPA_PINNING : 0))
                & core.maxFeatureFlags();
    }
}
