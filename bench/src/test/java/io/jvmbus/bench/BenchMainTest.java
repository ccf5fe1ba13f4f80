package io.jvmbus.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jmh.results.RunResult;

class BenchMainTest {

    @Test
    @Timeout(300)
    void shouldRunARingBenchmarkThroughJmhWithTheGivenArguments() throws Exception {
        final Collection<RunResult> results = BenchMain.Ring.run(
                List.of("MemcpyBenchmark", "-f", "0", "-wi", "0", "-i", "1", "-r", "200ms", "-p", "payload=64"));

        assertThat(results).hasSize(1);
        final RunResult r = results.iterator().next();
        assertThat(r.getParams().getBenchmark()).endsWith("MemcpyBenchmark.copy");
        assertThat(r.getParams().getParam("payload")).isEqualTo("64");
        assertThat(r.getPrimaryResult().getScore()).isPositive();
    }

    @Test
    void shouldPrintUsageAndFailWithoutASubcommand() {
        assertThat(new picocli.CommandLine(new BenchMain()).execute()).isEqualTo(2);
    }
}
