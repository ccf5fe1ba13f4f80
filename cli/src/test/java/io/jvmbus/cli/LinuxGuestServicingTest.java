package io.jvmbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jvmbus.testkit.linux.LinuxVmbusGuest;
import io.jvmbus.testkit.process.ServeProcess;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Linux VMBus guest code ({@code linux-vmbus-guest}) serviced from one {@code jvmbus serve} process to a
 * second, new one: SAVE in the first, RESTORE in the second, and the guest carries on with every echo checked byte for
 * byte (the tool also checks that messages held over SAVE are delivered by the restored host).
 */
@Timeout(240)
class LinuxGuestServicingTest {

    private static final String ECHO_IFACE = "a1f2d6f4-5d0e-4a52-9e2b-6c0f7d3e8a01";
    private static final Duration RUN = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    private static String echo(final String name, final int n) {
        return name + ":echo:" + ECHO_IFACE + ":11111111-0000-0000-0000-0000000000" + String.format("%02d", n);
    }

    @Test
    void shouldCarryTheLinuxGuestToASecondServeProcessAndBack() throws Exception {
        final Path a = dir.resolve("a.sock");
        final Path b = dir.resolve("b.sock");
        try (ServeProcess first = ServeProcess.start(a, dir);
                ServeProcess second = ServeProcess.start(b, dir)) {
            final LinuxVmbusGuest.Result r = LinuxVmbusGuest.run(
                    a.toString(),
                    dir,
                    RUN,
                    "--offer",
                    echo("e0", 1),
                    "--offer",
                    echo("e1", 2),
                    "--vcpus",
                    "2",
                    "--packets",
                    "300",
                    "--set-cpu",
                    "1",
                    "--after",
                    "20",
                    "--service-after",
                    "50",
                    "--service-socket",
                    b.toString(),
                    "--service-after",
                    "150",
                    "--service-socket",
                    a.toString(),
                    "--service-after",
                    "250",
                    "--service-socket",
                    b.toString(),
                    "--unload");
            assertThat(r.passed())
                    .as("linux-vmbus-guest exit %d:%n%s", r.exitCode(), r.tail(60))
                    .isTrue();
            assertThat(r.lastLine()).contains("opened=2", "echoed=600", "serviced=3", "unload=yes");
            first.awaitLine(l -> l.contains("SAVE:"), Duration.ofSeconds(10));
            second.awaitLine(l -> l.contains("RESTORE:") && l.contains("2 claimed"), Duration.ofSeconds(10));
        }
    }
}
