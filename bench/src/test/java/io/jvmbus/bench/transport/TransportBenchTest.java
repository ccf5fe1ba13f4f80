package io.jvmbus.bench.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class TransportBenchTest {

    @Test
    @Timeout(180)
    void shouldMeasureGpadlCyclesAndConnectTimesThroughARealServeProcess() throws Exception {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final TransportBench.Options tiny = new TransportBench.Options(
                List.of(1, 3), 0, Duration.ofMillis(100), 2, Duration.ofMillis(200), 12, 1, 3, Duration.ofSeconds(30));

        final TransportBench.Result r;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            r = TransportBench.run(tiny, out);
        }
        final String text = bytes.toString(StandardCharsets.UTF_8);

        assertThat(r.rates()).extracting(TransportBench.RateResult::sessions).containsExactly(1, 3);
        for (final TransportBench.RateResult rate : r.rates()) {
            assertThat(rate.aggregate().count()).isEqualTo(2);
            assertThat(rate.perSession().count()).isEqualTo(2 * rate.sessions());
            assertThat(rate.aggregate().min()).isPositive();
            assertThat(rate.perSession().min()).isPositive();
        }
        assertThat(r.connect().channels()).isEqualTo(12);
        assertThat(r.connect().millis().count()).isEqualTo(3);
        assertThat(r.connect().millis().min()).isPositive();
        assertThat(text)
                .containsPattern("RESULT transport-rate sessions=1 iterations=2 aggregate_msgs_per_s=[1-9]\\d*")
                .containsPattern("RESULT transport-rate sessions=3 iterations=2 aggregate_msgs_per_s=[1-9]\\d*")
                .containsPattern("RESULT transport-connect channels=12 repeats=3 median_ms=\\d+\\.\\d{3} p99_ms=")
                .contains("| 3 | ")
                .doesNotContain("jvmbus serve logged");
    }

    @Test
    void shouldConfigureDistinctInstancesForEveryChannel() {
        final String json = TransportBench.config(3, "c");
        assertThat(json)
                .startsWith("{\"offers\":[{\"name\":\"c0\",\"device\":\"echo\"")
                .contains("\"instance\":\"00000063-0000-0000-0000-000000000000\"")
                .contains("\"instance\":\"00000063-0000-0000-0000-000000000002\"")
                .endsWith("}]}");
    }
}
