package dev.sdqueue.loadtests;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Nearest-rank percentiles of a sample (p-th percentile = the smallest value with at least p % of the sample at or
 * below it), the way latency percentiles are usually reported; no interpolation, so every figure is a measured value.
 */
public record Percentiles(int count, double min, double mean, double p50, double p95, double p99, double max) {
    public static final Percentiles EMPTY = new Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
            Double.NaN, Double.NaN);

    public static Percentiles of(Collection<Double> values) {
        return of(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    public static Percentiles of(double[] values) {
        if (values.length == 0) {
            return EMPTY;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (double value : sorted) {
            sum += value;
        }
        return new Percentiles(sorted.length, sorted[0], sum / sorted.length, rank(sorted, 50), rank(sorted, 95),
                rank(sorted, 99), sorted[sorted.length - 1]);
    }

    /** The nearest-rank {@code p}-th percentile of an ascending array. */
    public static double rank(double[] sorted, double p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** {@code count, min, mean, p50, p95, p99, max}, rounded to 0.01 (for JSON). */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("count", count);
        for (Map.Entry<String, Double> entry : Map.of("min", min, "mean", mean, "p50", p50, "p95", p95, "p99", p99,
                "max", max).entrySet()) {
            map.put(entry.getKey(), round(entry.getValue()));
        }
        Map<String, Object> ordered = new LinkedHashMap<>();
        for (String key : new String[] {"count", "min", "mean", "p50", "p95", "p99", "max"}) {
            ordered.put(key, map.get(key));
        }
        return ordered;
    }

    /** e.g. {@code p50 12.3  p95 20.1  p99 31.0  max 40.2} (ms). */
    public String line() {
        if (count == 0) {
            return "n/a (no samples)";
        }
        return String.format("p50 %s  p95 %s  p99 %s  max %s  (n=%d)", ms(p50), ms(p95), ms(p99), ms(max), count);
    }

    public static String ms(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        return value >= 100 ? String.format("%.0f", value) : value >= 10 ? String.format("%.1f", value)
                : String.format("%.2f", value);
    }

    private static Object round(double value) {
        return Double.isNaN(value) ? null : Math.round(value * 100) / 100.0;
    }
}
