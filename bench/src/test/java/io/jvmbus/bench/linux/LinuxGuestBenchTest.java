package io.jvmbus.bench.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class LinuxGuestBenchTest {

    private static final String GUEST_OUTPUT = """
            [   0.0152] [main              ] step 1: connect /tmp/x.sock, HELLO (1 VPs, RAM file /dev/shm/r.ram)
            [   3.3148] [main              ] step 5: 20000 packets per open channel (1024..1024 bytes, seed 1), each echoed by the host; 0 events
            [   3.8461] [main              ] step 5: 20000 packets echoed on every open channel
            linux-vmbus-guest: PASS linux=6.1.192 vmbus=5.3 tried=5.3 vcpus=1 offers=1 opened=1 packets=20000 echoed=20000 time=3.85s
            """;

    @Test
    void shouldTimeTheTrafficBetweenTheGuestsStepFiveLines() {
        assertThat(LinuxGuestBench.trafficSeconds(GUEST_OUTPUT, 20000)).isCloseTo(0.5313, within(1e-9));
    }

    @Test
    void shouldRefuseARunThatDidNotPassOrSentAnotherCount() {
        assertThatThrownBy(() -> LinuxGuestBench.trafficSeconds(GUEST_OUTPUT, 100))
                .hasMessageContaining("expected: 100");
        assertThatThrownBy(() -> LinuxGuestBench.trafficSeconds(
                        GUEST_OUTPUT.replace("PASS", "FAIL: timeout: echoes (exit 3)"), 20000))
                .hasMessageContaining("did not pass");
    }

    @Test
    void shouldReadThePeersResultLine() {
        assertThat(LinuxGuestBench.resultLine("noise\nRESULT mode=bench status=0 seconds=7.067053 loopback=1\n"))
                .containsEntry("mode", "bench")
                .containsEntry("seconds", "7.067053")
                .containsEntry("loopback", "1");
    }

    @Test
    @Timeout(600)
    void shouldMeasureTheLinuxGuestAgainstServeNextToLinuxAlone() throws Exception {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final LinuxGuestBench.Options tiny = new LinuxGuestBench.Options(List.of(1024), 300, 0, 1, 0, 2, 16, 60);

        final List<LinuxGuestBench.SizeResult> r;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            r = LinuxGuestBench.run(tiny, out);
        }
        final String text = bytes.toString(StandardCharsets.UTF_8);

        assertThat(r).extracting(LinuxGuestBench.SizeResult::size).containsExactly(1024);
        for (final LinuxGuestBench.SizeResult s : r) {
            assertThat(s.jvmbus().count()).isEqualTo(1);
            assertThat(s.linux().count()).isEqualTo(1);
            assertThat(s.rttMicros().count()).isEqualTo(2);
            assertThat(s.linux().min()).isPositive();
            assertThat(s.linuxG2h().min()).isPositive();
            assertThat(s.linuxH2g().min()).isPositive();
            assertThat(s.rttMicros().min()).isNotNegative();
        }
        assertThat(text)
                .containsPattern("RESULT linux size=1024 runs=1 jvmbus_pkts_per_s=[1-9]\\d* .* linux_pkts_per_s=[1-9]"
                        + "\\d* .* ratio=\\d+\\.\\d{3}")
                .contains("| 1 KiB | ")
                .doesNotContain("jvmbus serve logged");
    }
}
