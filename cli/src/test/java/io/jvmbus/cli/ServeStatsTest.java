package io.jvmbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class ServeStatsTest {

    @TempDir
    Path dir;

    @Test
    void shouldSampleTheHeapAfterACollectionAndPrintEveryField() {
        final ServeStats.Sample before = ServeStats.sample(3);
        final ServeStats.Sample after = ServeStats.sample(3);

        assertThat(after.heapAfterGcBytes()).isPositive().isLessThanOrEqualTo(after.heapCommittedBytes());
        assertThat(after.collections()).as("each sample collects").isGreaterThan(before.collections());
        assertThat(after.line())
                .matches("stats: sessions=3 heap_after_gc_kib=\\d+ heap_committed_kib=\\d+ collections=\\d+");
    }

    @Test
    void shouldRefuseANegativeStatsPeriod() {
        final picocli.CommandLine cli = new picocli.CommandLine(new Main());
        cli.setErr(new java.io.PrintWriter(new StringWriter(), true));
        assertThat(cli.execute("serve", "--socket", dir.resolve("s.sock").toString(), "--stats-every", "-1"))
                .isEqualTo(ServeCommand.USAGE);
        assertThat(dir.resolve("s.sock")).doesNotExist();
    }
}
