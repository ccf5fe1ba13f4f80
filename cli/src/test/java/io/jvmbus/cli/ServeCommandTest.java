package io.jvmbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.host.control.ConfigFile;
import io.jvmbus.host.session.SessionEnvironment;
import io.jvmbus.host.transport.HostServer;
import io.jvmbus.testkit.transport.TestVmm;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(60)
class ServeCommandTest {

    @TempDir
    Path dir;

    private static int runInProcess(final StringWriter err, final String... args) {
        final CommandLine cli = new CommandLine(new Main());
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void shouldServeAsItsOwnProcessAndRemoveTheSocketOnTerm() throws Exception {
        final Path socket = dir.resolve("s.sock");
        final Path config = Files.writeString(
                dir.resolve("devices.json"),
                "{\"offers\":[{\"name\":\"cfg\",\"device\":\"echo\",\"interface\":"
                        + "\"a1f2d6f4-5d0e-4a52-9e2b-6c0f7d3e8a01\",\"instance\":"
                        + "\"11111111-0000-0000-0000-000000000001\"}]}");
        final List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                "io.jvmbus.cli.Main",
                "serve",
                "--socket",
                socket.toString(),
                "--config",
                config.toString(),
                "--log-level",
                "debug"));
        final Path log = dir.resolve("serve.log");
        final Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try (TestVmm vmm = TestVmm.connect(socket, Duration.ofSeconds(30))) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
                    .isEqualTo("rw-------");
            vmm.hello("own-process");
            assertThat(vmm.control("{\"op\":\"inspect\"}")).contains("\"name\":\"cfg\"");
        } finally {
            p.destroy(); // SIGTERM: the shutdown hook closes the server
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(socket).doesNotExist();
        final String out = Files.readString(log);
        assertThat(out).contains("listening on " + socket, "session 1: connected", "HELLO", "server stopped");
        assertThat(out).as("--log-level debug").contains("DEBUG");
    }

    @Test
    void shouldRefuseANonLoopbackListenAddress() {
        final StringWriter err = new StringWriter();
        final int status =
                runInProcess(err, "serve", "--socket", dir.resolve("x.sock").toString(), "--listen", "0.0.0.0:7000");
        assertThat(status).isEqualTo(ServeCommand.USAGE);
        assertThat(dir.resolve("x.sock")).doesNotExist();
    }

    @Test
    void shouldRefuseABadConfigFileOrLogLevel() throws IOException {
        final Path bad = Files.writeString(dir.resolve("bad.json"), "{\"offers\":[{\"name\":\"x\"}]}");
        assertThat(runInProcess(
                        new StringWriter(),
                        "serve",
                        "--socket",
                        dir.resolve("y.sock").toString(),
                        "--config",
                        bad.toString()))
                .isEqualTo(ServeCommand.USAGE);
        assertThat(runInProcess(
                        new StringWriter(),
                        "serve",
                        "--socket",
                        dir.resolve("y.sock").toString(),
                        "--log-level",
                        "loud"))
                .isEqualTo(ServeCommand.USAGE);
    }

    @Test
    void shouldRefuseASocketALiveServerHolds() throws IOException {
        final Path socket = dir.resolve("live.sock");
        try (HostServer live = HostServer.start(
                new HostServer.Options(socket, null, SessionEnvironment.defaults(ConfigFile.EMPTY), 4))) {
            assertThat(runInProcess(
                            new StringWriter(),
                            "serve",
                            "--socket",
                            live.socketPath().toString()))
                    .isEqualTo(ServeCommand.CANNOT_BIND);
            // the live server goes on serving (the refused serve's probe was one short session)
            try (TestVmm vmm = TestVmm.connect(socket, Duration.ofSeconds(5))) {
                vmm.hello("still-served");
            }
        }
    }
}
