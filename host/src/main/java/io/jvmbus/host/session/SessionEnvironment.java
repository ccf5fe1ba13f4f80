package io.jvmbus.host.session;

import io.jvmbus.host.control.ConfigFile;
import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.server.ServerConfig;

/**
 * What every session of one server shares: the configured devices, how guest RAM is mapped, the channel server
 * core's configuration, and where saved states also go. Immutable.
 *
 * @param config the devices every session starts with ({@code --config})
 * @param ramMapper maps HELLO's RAM file
 * @param core the configuration of each session's channel server core
 * @param savedSink gets every SAVED blob (e.g. {@code serve --save-to}); {@link SavedStateSink#NONE} for none
 */
public record SessionEnvironment(
        ConfigFile config, GuestRamMapper ramMapper, ServerConfig core, SavedStateSink savedSink) {

    /** Validates the fields. */
    public SessionEnvironment {
        if (config == null || ramMapper == null || core == null || savedSink == null) {
            throw new IllegalArgumentException(
                    "config, ramMapper, core and savedSink are required (expected: non-null)");
        }
    }

    /**
     * An environment whose saved states go nowhere but the SAVED frame.
     *
     * @param config the devices every session starts with
     * @param ramMapper maps HELLO's RAM file
     * @param core the core's configuration
     */
    public SessionEnvironment(final ConfigFile config, final GuestRamMapper ramMapper, final ServerConfig core) {
        this(config, ramMapper, core, SavedStateSink.NONE);
    }

    /**
     * The same environment with another saved-state sink.
     *
     * @param sink where SAVED blobs also go
     * @return a new environment
     */
    public SessionEnvironment withSavedSink(final SavedStateSink sink) {
        return new SessionEnvironment(config, ramMapper, core, sink);
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
