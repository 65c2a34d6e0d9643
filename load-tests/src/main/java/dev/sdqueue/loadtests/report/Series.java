package dev.sdqueue.loadtests.report;

import java.util.Objects;

/** Points of one plotted line or scatter: {@code x[i], y[i]}; NaN values are skipped. */
public record Series(String name, double[] x, double[] y, boolean scatter) {
    public Series {
        Objects.requireNonNull(name, "name");
        if (x.length != y.length) {
            throw new IllegalArgumentException("x and y differ in length: " + x.length + " vs " + y.length);
        }
    }

    public static Series line(String name, double[] x, double[] y) {
        return new Series(name, x, y, false);
    }

    public static Series points(String name, double[] x, double[] y) {
        return new Series(name, x, y, true);
    }
}
