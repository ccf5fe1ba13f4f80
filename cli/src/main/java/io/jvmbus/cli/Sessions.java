package io.jvmbus.cli;

import io.jvmbus.host.control.ConfigFile;
import io.jvmbus.host.session.SessionEnvironment;

/** The session environment the command line serves with. */
final class Sessions {

    private Sessions() {}

    static SessionEnvironment environment(final ConfigFile config) {
        return SessionEnvironment.defaults(config);
    }
}
