package io.jvmbus.server;

import io.jvmbus.protocol.ConnectionState;

/** The host layer's (or relay's) answer to a {@link ModifyConnectionRequest}. */
public sealed interface ModifyConnectionResult {

    /**
     * The version in a connect request is supported.
     *
     * @param connectionState a {@link ConnectionState} code; non-zero fails the connection
     * @param featureFlags the feature flags the relay supports (all 32 bits when there is no relay)
     * @param serverMonitorPages monitor pages the server allocated (feature 0x40), or {@code null}
     */
    record Supported(int connectionState, int featureFlags, MonitorPages serverMonitorPages)
            implements ModifyConnectionResult {}

    /** The version in a connect request is not supported. */
    record Unsupported() implements ModifyConnectionResult {}

    /**
     * A request without a version (disconnect or MODIFY_CONNECTION) was applied.
     *
     * @param connectionState a {@link ConnectionState} code
     */
    record Modified(int connectionState) implements ModifyConnectionResult {}

    /**
     * The answer of a server without a relay: supported with every flag for a connect, modified otherwise.
     *
     * @param request the request being answered
     * @return Supported(SUCCESSFUL, 0xFFFFFFFF, none) or Modified(SUCCESSFUL)
     */
    static ModifyConnectionResult acknowledge(final ModifyConnectionRequest request) {
        return request.isConnect()
                ? new Supported(ConnectionState.SUCCESSFUL, 0xFFFFFFFF, null)
                : new Modified(ConnectionState.SUCCESSFUL);
    }
}
