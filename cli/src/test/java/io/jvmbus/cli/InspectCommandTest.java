package io.jvmbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.host.control.ConfigFile;
import io.jvmbus.host.session.SessionEnvironment;
import io.jvmbus.host.transport.HostServer;
import io.jvmbus.testkit.transport.TestVmm;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(60)
class InspectCommandTest {

    @TempDir
    Path dir;

    private HostServer server;
    private Path socket;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void start() throws IOException {
        socket = dir.resolve("i.sock");
        server = HostServer.start(
                new HostServer.Options(socket, null, SessionEnvironment.defaults(ConfigFile.EMPTY), 8));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private int inspect(final String... args) {
        final CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        final String[] all = new String[args.length + 1];
        all[0] = "inspect";
        System.arraycopy(args, 0, all, 1, args.length);
        return cli.execute(all);
    }

    @Test
    void shouldPrintTheSessionOfANamedVmAsATree() throws IOException {
        try (TestVmm alpha = TestVmm.connect(socket, Duration.ofSeconds(5));
                TestVmm beta = TestVmm.connect(socket, Duration.ofSeconds(5))) {
            alpha.hello("alpha");
            beta.hello("beta");
            assertThat(alpha.control("{\"op\":\"offer\",\"name\":\"disk0\",\"device\":\"manual\",\"interface\":"
                            + "\"ba6163d9-04a1-4d29-b605-72e2ffb1dc7f\",\"instance\":"
                            + "\"55555555-0000-0000-0000-000000000001\"}"))
                    .contains("\"ok\":true");
            assertThat(inspect("--socket", socket.toString(), "--vm", "alpha")).isZero();
            final String text = out.toString();
            assertThat(text).contains("vm 'alpha'", "connection:", "state: disconnected", "channels:", "- disk0");
            assertThat(text).contains("device: manual", "interface: ba6163d9-04a1-4d29-b605-72e2ffb1dc7f");
            assertThat(text).doesNotContain("vm 'beta'");
        }
    }

    @Test
    void shouldListEverySessionWithoutVm() throws IOException {
        try (TestVmm a = TestVmm.connect(socket, Duration.ofSeconds(5));
                TestVmm b = TestVmm.connect(socket, Duration.ofSeconds(5))) {
            a.hello("one");
            b.hello("two");
            assertThat(inspect("--socket", socket.toString())).isZero();
            assertThat(out.toString()).contains("vm 'one'", "vm 'two'").doesNotContain("jvmbus-inspect");
        }
    }

    @Test
    void shouldSayWhenNoSessionMatchesOrTheServerIsAbsent() {
        assertThat(inspect("--socket", socket.toString(), "--vm", "ghost")).isEqualTo(InspectCommand.NO_SUCH_VM);
        assertThat(out.toString()).contains("no session of vm 'ghost'");
        assertThat(inspect("--socket", dir.resolve("nothing.sock").toString())).isEqualTo(InspectCommand.UNREACHABLE);
        assertThat(err.toString()).contains("jvmbus inspect:");
    }
}
