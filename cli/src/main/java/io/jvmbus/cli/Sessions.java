package io.jvmbus.cli;

import io.jvmbus.host.control.ServerConfig;
import io.jvmbus.host.session.MappedFileRam;
import io.jvmbus.host.session.SessionEnvironment;
import io.jvmbus.protocol.FeatureFlags;
import io.jvmbus.protocol.ProtocolVersion;

/** The session environment the command line serves with. */
final class Sessions {

    private Sessions() {}

    static SessionEnvironment environment(final ServerConfig config) {
        return new SessionEnvironment(
                config, MappedFileRam::map, ProtocolVersion.IRON.code(), FeatureFlags.ALWAYS_SUPPORTED);
    }
}
