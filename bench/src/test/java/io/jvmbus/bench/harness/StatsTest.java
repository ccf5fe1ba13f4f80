package io.jvmbus.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void shouldSummariseSamplesWithSampleStandardDeviationAndNearestRankPercentile() {
        final Stats s = Stats.of(4, 1, 3, 2, 10);
        assertThat(s.count()).isEqualTo(5);
        assertThat(s.mean()).isEqualTo(4.0);
        // sum of squared deviations 0+9+1+4+36 = 50, over n-1 = 4
        assertThat(s.stddev()).isCloseTo(Math.sqrt(12.5), within(1e-12));
        assertThat(s.min()).isEqualTo(1.0);
        assertThat(s.median()).isEqualTo(3.0);
        assertThat(s.p99()).isEqualTo(10.0);
        assertThat(s.max()).isEqualTo(10.0);
    }

    @Test
    void shouldTakeTheMiddlePairForAnEvenCountAndTheRankForP99() {
        final double[] v = new double[200];
        for (int i = 0; i < v.length; i++) {
            v[i] = 200 - i; // 200..1, unsorted order
        }
        final Stats s = Stats.of(v);
        assertThat(s.median()).isEqualTo(100.5);
        assertThat(s.p99()).isEqualTo(198.0); // rank ceil(0.99 * 200) = 198
        assertThat(Stats.of(7).stddev()).isZero();
    }

    @Test
    void shouldRefuseNoSamples() {
        assertThatThrownBy(Stats::of).hasMessageContaining("samples=0");
    }

    @Test
    void shouldPrintThreeSignificantFiguresWithSuffixes() {
        assertThat(Stats.human(1_234_567)).isEqualTo("1.23 M");
        assertThat(Stats.human(45_678)).isEqualTo("45.7 k");
        assertThat(Stats.human(950)).isEqualTo("950");
        assertThat(Stats.human(2.5)).isEqualTo("2.50");
    }
}
