package io.jvmbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code jvmbus demo} in-process (picocli), against the real {@code jvmbus serve} child processes it starts: the exit
 * status, the timeline's key lines and the summary's numbers.
 */
@Timeout(240)
class DemoCommandTest {

    private record Run(int status, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }

        long count(final String needle) {
            return lines().stream().filter(l -> l.contains(needle)).count();
        }

        long summaryNumber(final String label) {
            final Matcher m = Pattern.compile("^  " + Pattern.quote(label) + "\\s+(\\d+)", Pattern.MULTILINE)
                    .matcher(out);
            assertThat(m.find()).as("summary line '%s' in:\n%s", label, out).isTrue();
            return Long.parseLong(m.group(1));
        }

        double blackoutMillis() {
            final Matcher m = Pattern.compile("servicing blackout\\s+(?:min )?([0-9.]+) ms")
                    .matcher(out);
            assertThat(m.find()).as("blackout in:\n%s", out).isTrue();
            return Double.parseDouble(m.group(1));
        }
    }

    private static Run demo(final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine cli = new CommandLine(new Main());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        final String[] all = new String[args.length + 1];
        all[0] = "demo";
        System.arraycopy(args, 0, all, 1, args.length);
        final int status = cli.execute(all);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void shouldPlayTheSeedScenarioWithServicingAndPassEveryCheck() {
        final Run r = demo();

        assertThat(r.status())
                .as("exit status; output:\n%s%s", r.out(), r.err())
                .isZero();
        assertThat(r.out())
                .contains("firmware   connected: VMBus 4.0 (Win10) on connection id 1")
                .contains("firmware   opened reserved channel 'debug' (relid 1")
                .contains("firmware   unloaded (UNLOAD -> UNLOAD_COMPLETE); connection disconnected")
                .contains("vmm        SAVED: ")
                .contains("host       serve-1 (pid ")
                .contains("vmm        RESTORED; VM resumed")
                .contains("debugger   reconnected to unix:vm1-debug.sock (bound again by serve-2)")
                .contains("os         connected: VMBus 6.0 (Copper)")
                .contains("('debug' is not offered: the firmware's reservation holds it)")
                .contains("os         read 3000 bytes the debugger sent before servicing")
                .contains("os         closed reserved channel 'debug'")
                .contains("pass  debug bytes intact across servicing")
                .doesNotContain("FAIL");
        // the steps come in the story's order
        assertThat(r.out().indexOf("firmware   unloaded"))
                .isLessThan(r.out().indexOf("vmm        SAVED"))
                .isLessThan(r.out().indexOf("vmm        RESTORED"));
        assertThat(r.out().indexOf("vmm        RESTORED")).isLessThan(r.out().indexOf("os         connected"));
        assertThat(r.count("started: jvmbus serve")).as("two server processes").isEqualTo(2);
        assertThat(r.summaryNumber("channel messages")).isGreaterThan(20);
        assertThat(r.out()).contains("echo data           64 packets, ");
        assertThat(r.summaryNumber("debug channel data"))
                .as("45 + 27 + 3000 + 52 bytes")
                .isEqualTo(45 + 27 + 3000 + 52);
        assertThat(r.blackoutMillis()).isPositive();
        assertThat(r.out()).containsPattern("checks\\s+\\d+ passed, 0 failed");
        assertThat(r.lines().getLast()).isEqualTo("PASS");
    }

    @Test
    void shouldRunThreeVmsAgainstOneProcessAndServiceThemTogetherShowingEveryMessage() {
        final Run r = demo("--vms", "3", "--verbose");

        assertThat(r.status())
                .as("exit status; output:\n%s%s", r.out(), r.err())
                .isZero();
        for (final String vm : List.of("vm1", "vm2", "vm3")) {
            assertThat(r.out())
                    .containsPattern(vm + "\\s+firmware\\s+opened reserved channel 'debug'")
                    .containsPattern(vm + "\\s+vmm\\s+RESTORED")
                    .containsPattern(vm + "\\s+os\\s+read 3000 bytes the debugger sent before servicing");
        }
        assertThat(r.count("started: jvmbus serve"))
                .as("one process replaced once for all")
                .isEqualTo(2);
        assertThat(r.count("SAVED: ")).isEqualTo(3);
        assertThat(r.out()).contains("VMs                 3").contains("debug bytes intact across servicing (3/3)");
        assertThat(r.out()).containsPattern("min [0-9.]+ ms, median [0-9.]+ ms, max [0-9.]+ ms");
        // --verbose: every message decoded, both ways
        assertThat(r.out())
                .containsPattern("firmware\\s+-> InitiateContact\\[")
                .containsPattern("firmware\\s+<- VersionResponse\\[")
                .containsPattern("os\\s+-> CloseReservedChannel\\[")
                .containsPattern("os\\s+<- CloseReservedChannelResponse\\[")
                .doesNotContain("undecodable");
        final long decoded = r.lines().stream()
                .filter(l -> l.matches(".*\\s(->|<-) [A-Z]\\w+\\[.*"))
                .count();
        assertThat(decoded).as("one decoded line per channel message").isEqualTo(r.summaryNumber("channel messages"));
        assertThat(r.lines().getLast()).isEqualTo("PASS");
    }

    @Test
    void shouldMoveTheOsStagesDataWithTheRealLinuxGuestCode() {
        // the tool comes from -Djvmbus.linuxVmbusGuest (./jvmbus test), else it is built from ../shared
        final Run r = demo("--linux-guest");

        assertThat(r.status())
                .as("exit status; output:\n%s%s", r.out(), r.err())
                .isZero();
        assertThat(r.out())
                .contains("linux      linux-vmbus-guest: the real Linux 6.1 VMBus code")
                .contains("linux      linux-vmbus-guest: PASS linux=6.1")
                .contains("OS data: the real Linux 6.1 guest code")
                .contains("pass  Linux guest moves the echo data (PASS)")
                .contains("os         read 3000 bytes the debugger sent before servicing")
                .doesNotContain("os         opened 'echo0'");
        assertThat(r.out()).containsPattern("64 packets echoed and checked by Linux \\(VMBus 5\\.3\\)");
        assertThat(r.lines().getLast()).isEqualTo("PASS");
    }

    @Test
    void shouldRefuseAVmCountOutOfRange() {
        final Run r = demo("--vms", "0");
        assertThat(r.status()).isEqualTo(DemoCommand.USAGE);
        assertThat(r.err()).contains("--vms 0 (expected: 1..64)");
    }
}
