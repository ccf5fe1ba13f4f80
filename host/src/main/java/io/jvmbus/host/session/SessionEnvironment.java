package io.jvmbus.host.session;

import io.jvmbus.host.control.ServerConfig;

/**
 * What every session of one server shares: the configured devices and how guest RAM is mapped. Immutable.
 *
 * @param config the devices every session starts with ({@code --config})
 * @param ramMapper maps HELLO's RAM file
 * @param maxVersion the highest VMBus protocol version HELLO_OK announces
 * @param featureFlags the feature flags HELLO_OK announces
 */
public record SessionEnvironment(ServerConfig config, GuestRamMapper ramMapper, int maxVersion, int featureFlags) {

    /** Validates the fields. */
    public SessionEnvironment {
        if (config == null || ramMapper == null) {
            throw new IllegalArgumentException("config and ramMapper are required (expected: non-null)");
        }
    }
}
