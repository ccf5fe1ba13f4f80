package io.jvmbus.bench.harness;

import java.util.Arrays;
import java.util.Locale;

/**
 * A summary of repeated measurements: count, mean, sample standard deviation, min, median, p99 and max.
 *
 * @param count how many samples
 * @param mean their mean
 * @param stddev the sample standard deviation (0 for one sample)
 * @param min the smallest
 * @param median the median (mean of the two middle samples for an even count)
 * @param p99 the 99th percentile (nearest rank)
 * @param max the largest
 */
public record Stats(int count, double mean, double stddev, double min, double median, double p99, double max) {

    /**
     * Summarises samples.
     *
     * @param samples at least one value
     * @return the summary
     * @throws IllegalArgumentException if {@code samples} is empty
     */
    public static Stats of(final double... samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("samples=0 (expected: at least one)");
        }
        final double[] s = samples.clone();
        Arrays.sort(s);
        final int n = s.length;
        double sum = 0;
        for (final double v : s) {
            sum += v;
        }
        final double mean = sum / n;
        double sq = 0;
        for (final double v : s) {
            sq += (v - mean) * (v - mean);
        }
        final double sd = n > 1 ? Math.sqrt(sq / (n - 1)) : 0;
        final double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        final int rank = (int) Math.ceil(0.99 * n); // nearest rank, 1-based
        return new Stats(n, mean, sd, s[0], median, s[Math.max(rank, 1) - 1], s[n - 1]);
    }

    /**
     * {@code mean ± stddev (min–max)} with values formatted by {@link #human(double)}.
     *
     * @return the text
     */
    public String meanSpread() {
        return human(mean) + " ± " + human(stddev) + " (" + human(min) + "–" + human(max) + ")";
    }

    /**
     * A number with three significant figures and a k/M suffix: 1234567 → "1.23 M", 950 → "950".
     *
     * @param v the value
     * @return the text
     */
    public static String human(final double v) {
        final double a = Math.abs(v);
        if (a >= 1e6) {
            return sig(v / 1e6) + " M";
        }
        if (a >= 1e4) {
            return sig(v / 1e3) + " k";
        }
        return sig(v);
    }

    private static String sig(final double v) {
        final double a = Math.abs(v);
        final String f = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : "%.2f";
        return String.format(Locale.ROOT, f, v);
    }
}
