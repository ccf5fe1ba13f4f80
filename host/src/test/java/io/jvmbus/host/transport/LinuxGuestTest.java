package io.jvmbus.host.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.host.control.ConfigFile;
import io.jvmbus.host.session.MappedFileRam;
import io.jvmbus.host.session.SessionEnvironment;
import io.jvmbus.protocol.ProtocolVersion;
import io.jvmbus.server.ServerConfig;
import io.jvmbus.testkit.linux.LinuxVmbusGuest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Linux VMBus guest code ({@code linux-vmbus-guest}: Linux's {@code hv_vmbus} control plane and ring code,
 * unmodified) against a real {@link HostServer} over its socket. Each case must end with exit 0 and a PASS line.
 */
@Timeout(180)
class LinuxGuestTest {

    private static final String ECHO_IFACE = "a1f2d6f4-5d0e-4a52-9e2b-6c0f7d3e8a01";
    private static final String NIC_IFACE = "f8615163-df3e-46c5-913f-f2d2f965ed0e";
    private static final Duration RUN = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private HostServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private Path serve(final ConfigFile config, final ServerConfig core) throws IOException {
        final Path socket = dir.resolve("h.sock");
        server = HostServer.start(new HostServer.Options(
                socket,
                new InetSocketAddress("127.0.0.1", 0),
                new SessionEnvironment(config, MappedFileRam::map, core),
                16));
        return socket;
    }

    private Path serve() throws IOException {
        return serve(ConfigFile.EMPTY, ServerConfig.defaults());
    }

    private static String echo(final String name, final int n) {
        return name + ":echo:" + ECHO_IFACE + ":11111111-0000-0000-0000-0000000000" + String.format("%02d", n);
    }

    private LinuxVmbusGuest.Result guest(final Path socket, final String... args) throws IOException {
        return LinuxVmbusGuest.run(socket.toString(), dir, RUN, args);
    }

    private static void assertPassed(final LinuxVmbusGuest.Result r) {
        assertThat(r.passed())
                .as("linux-vmbus-guest exit %d:%n%s", r.exitCode(), r.tail(60))
                .isTrue();
    }

    @Test
    void shouldPassBasicEchoWithUnload() throws IOException, InterruptedException {
        final Path socket = serve();
        final LinuxVmbusGuest.Result r = guest(socket, "--offer", echo("echo0", 1), "--packets", "200", "--unload");
        assertPassed(r);
        assertThat(r.lastLine()).contains("offers=1", "opened=1", "packets=200", "echoed=200", "unload=yes");
        assertThat(server.awaitSessionCount(0, Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void shouldPassRevokeHotAddAndSetCpuOnTwoVps() throws IOException {
        final Path socket = serve();
        final LinuxVmbusGuest.Result r = guest(
                socket,
                "--vcpus",
                "2",
                "--offer",
                echo("e0", 1),
                "--offer",
                echo("e1", 2),
                "--packets",
                "60",
                "--control-revoke",
                "e1",
                "--after",
                "20",
                "--control-offer",
                echo("h0", 3),
                "--after",
                "30",
                "--set-cpu",
                "1",
                "--after",
                "40",
                "--unload");
        assertPassed(r);
        assertThat(r.lastLine()).contains("revoked=1", "modified=2", "unload=yes");
    }

    @Test
    void shouldEchoThroughFullRingsInBothDirections() throws IOException {
        final Path socket = serve();
        final LinuxVmbusGuest.Result r = guest(
                socket,
                "--offer",
                echo("small", 1),
                "--ring-kb",
                "8",
                "--packets",
                "1500",
                "--size",
                "0:4000",
                "--unload");
        assertPassed(r);
        assertThat(r.lastLine()).contains("echoed=1500");
    }

    @Test
    void shouldSpreadPerfDevicesOverFourVps() throws IOException {
        final Path socket = serve();
        final LinuxVmbusGuest.Result r = guest(
                socket,
                "--vcpus",
                "4",
                "--offer",
                "n0:echo:" + NIC_IFACE + ":22222222-0000-0000-0000-000000000001",
                "--offer",
                "n1:echo:" + NIC_IFACE + ":22222222-0000-0000-0000-000000000002",
                "--offer",
                "n2:echo:" + NIC_IFACE + ":22222222-0000-0000-0000-000000000003",
                "--packets",
                "50",
                "--reader",
                "recvpacket",
                "--unload");
        assertPassed(r);
        assertThat(r.lastLine()).contains("vcpus=4", "opened=3", "echoed=150");
    }

    @Test
    void shouldMakeLinuxFallBackToTheServersHighestVersion() throws IOException {
        final Path socket = serve(
                ConfigFile.EMPTY,
                ServerConfig.builder().maxVersion(ProtocolVersion.WIN10).build());
        final LinuxVmbusGuest.Result r = guest(socket, "--offer", echo("e0", 1), "--packets", "20", "--unload");
        assertPassed(r);
        assertThat(r.lastLine()).contains("vmbus=4.0", "tried=5.3,5.2,5.1,5.0,4.1,4.0");
    }

    @Test
    void shouldServeLinuxAtVersion24WithoutUnload() throws IOException {
        final Path socket = serve();
        final LinuxVmbusGuest.Result r =
                guest(socket, "--offer", echo("e0", 1), "--version-max", "2.4", "--packets", "20", "--unload");
        assertPassed(r);
        assertThat(r.lastLine()).contains("vmbus=2.4", "unload=no");
    }

    @Test
    void shouldOfferConfiguredDeviceOverTcp() throws Exception {
        final ConfigFile config =
                ConfigFile.parse(("{\"offers\":[{\"name\":\"cfg\",\"device\":\"echo\",\"interface\":\"" + ECHO_IFACE
                                + "\",\"instance\":\"33333333-0000-0000-0000-000000000001\"}]}")
                        .getBytes(StandardCharsets.UTF_8));
        serve(config, ServerConfig.defaults());
        final InetSocketAddress tcp = server.tcpAddress();
        final LinuxVmbusGuest.Result r = LinuxVmbusGuest.run(
                "tcp:127.0.0.1:" + tcp.getPort(),
                dir,
                RUN,
                "--device",
                ECHO_IFACE,
                "--expect-offers",
                "1",
                "--packets",
                "30",
                "--control",
                "{\"op\":\"inspect\"}",
                "--unload");
        assertPassed(r);
        assertThat(r.lastLine()).contains("offers=1", "echoed=30");
    }

    /** Servicing to the same socket three times: messages held over SAVE are delivered by the restored session. */
    @Test
    void shouldServiceToTheSameSocketWithMessagesHeldOverSaveDelivered() throws IOException, InterruptedException {
        final Path socket = serve();
        final LinuxVmbusGuest.Result r = guest(
                socket,
                "--offer",
                echo("e0", 1),
                "--offer",
                echo("e1", 2),
                "--vcpus",
                "2",
                "--packets",
                "200",
                "--service-after",
                "0",
                "--service-after",
                "60",
                "--service-after",
                "150",
                "--unload");
        assertPassed(r);
        assertThat(r.lastLine()).contains("offers=2", "opened=2", "echoed=400", "serviced=3", "unload=yes");
        assertThat(server.awaitSessionCount(0, Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void shouldServiceWithSetCpuAndRevokeAround() throws IOException {
        final Path socket = serve();
        final LinuxVmbusGuest.Result r = guest(
                socket,
                "--offer",
                echo("e0", 1),
                "--offer",
                echo("e1", 2),
                "--vcpus",
                "2",
                "--packets",
                "120",
                "--set-cpu",
                "1",
                "--after",
                "30",
                "--service-after",
                "50",
                "--control-revoke",
                "e1",
                "--after",
                "80",
                "--service-after",
                "100",
                "--unload");
        assertPassed(r);
        assertThat(r.lastLine()).contains("serviced=2", "revoked=1", "unload=yes");
    }
}
