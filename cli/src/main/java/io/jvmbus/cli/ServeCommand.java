package io.jvmbus.cli;

import io.jvmbus.host.control.ConfigFile;
import io.jvmbus.host.control.ControlException;
import io.jvmbus.host.session.SavedStateFiles;
import io.jvmbus.host.session.SessionEnvironment;
import io.jvmbus.host.transport.HostServer;
import io.jvmbus.host.transport.LoopbackAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jvmbus serve}: the process a VMM attaches to (shared/spec/host-transport.md). */
@Command(
        name = "serve",
        description = "Serve VMs over the host transport: a VMM attaches to the socket, one session per VM.")
final class ServeCommand implements Callable<Integer> {

    /** Exit status for bad options or a config file that does not parse. */
    static final int USAGE = 2;
    /** Exit status when the sockets cannot be bound. */
    static final int CANNOT_BIND = 3;

    @Option(names = "--socket", required = true, paramLabel = "PATH", description = "Unix socket to create (mode 0600)")
    Path socket;

    @Option(
            names = "--listen",
            paramLabel = "HOST:PORT",
            description = "also listen on this loopback TCP address (127.0.0.1:PORT, [::1]:PORT or localhost:PORT)")
    String listen;

    @Option(names = "--config", paramLabel = "FILE", description = "JSON file of devices every session starts with")
    Path config;

    @Option(
            names = "--save-to",
            paramLabel = "DIR",
            description = "also write every SAVED state to DIR/<vm-name>.jvmbus-saved (atomically, fsynced)")
    Path saveTo;

    @Option(
            names = "--log-level",
            paramLabel = "LEVEL",
            defaultValue = "info",
            description = "error, warn, info (default), debug or trace")
    String logLevel;

    @Option(
            names = "--stats-every",
            paramLabel = "SECONDS",
            defaultValue = "0",
            description = "every SECONDS, collect garbage and log live sessions and heap (0, the default: never)")
    int statsEvery;

    @Override
    public Integer call() {
        final InetSocketAddress tcp;
        final ConfigFile devices;
        try {
            LogLevel.apply(logLevel);
            tcp = listen == null ? null : LoopbackAddress.parse(listen);
            devices = config == null ? ConfigFile.EMPTY : ConfigFile.load(config);
            if (statsEvery < 0) {
                throw new IllegalArgumentException("--stats-every " + statsEvery + " (expected: >= 0)");
            }
        } catch (final IllegalArgumentException | ControlException e) {
            System.err.println("jvmbus serve: " + e.getMessage());
            return USAGE;
        } catch (final IOException e) {
            System.err.println("jvmbus serve: cannot read --config " + config + ": " + e);
            return USAGE;
        }
        SessionEnvironment env = Sessions.environment(devices);
        if (saveTo != null) {
            try {
                env = env.withSavedSink(SavedStateFiles.in(saveTo));
            } catch (final IOException e) {
                System.err.println("jvmbus serve: --save-to " + saveTo + ": " + e.getMessage());
                return USAGE;
            }
        }
        final HostServer server;
        try {
            server = HostServer.start(new HostServer.Options(socket, tcp, env, HostServer.DEFAULT_MAX_SESSIONS));
        } catch (final IOException e) {
            System.err.println("jvmbus serve: cannot listen on " + socket + ": " + e.getMessage());
            return CANNOT_BIND;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "jvmbus-serve-shutdown"));
        if (statsEvery > 0) {
            ServeStats.logEvery(server, statsEvery);
        }
        server.closed().join();
        return 0;
    }
}
