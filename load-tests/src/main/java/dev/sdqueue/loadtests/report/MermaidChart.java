package dev.sdqueue.loadtests.report;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Mermaid {@code xychart-beta} blocks (GitHub renders them in markdown), for pasting a run's plots into
 * BENCHMARKS.md. Categories on x; one or more line or bar series on y.
 */
public final class MermaidChart {
    /** A named series of values, one per x category, drawn as a line or as bars. */
    public record Values(double[] values, boolean bar) {
    }

    private MermaidChart() {
    }

    public static String xy(String title, String xLabel, List<String> categories, String yLabel, List<Values> series) {
        double max = 0;
        for (Values values : series) {
            for (double value : values.values()) {
                max = Math.max(max, Double.isNaN(value) ? 0 : value);
            }
        }
        StringBuilder text = new StringBuilder("```mermaid\nxychart-beta\n");
        text.append("    title \"").append(title.replace("\"", "'")).append("\"\n");
        text.append("    x-axis \"").append(xLabel.replace("\"", "'")).append("\" [")
                .append(categories.stream().map(c -> "\"" + c.replace("\"", "'") + "\"")
                        .collect(Collectors.joining(", "))).append("]\n");
        text.append("    y-axis \"").append(yLabel.replace("\"", "'")).append("\" 0 --> ")
                .append(SvgChart.format(SvgChart.niceCeiling(max))).append('\n');
        for (Values values : series) {
            text.append("    ").append(values.bar() ? "bar" : "line").append(" [");
            for (int i = 0; i < values.values().length; i++) {
                double value = values.values()[i];
                text.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f",
                        Double.isNaN(value) ? 0 : value));
            }
            text.append("]\n");
        }
        return text.append("```\n").toString();
    }
}
