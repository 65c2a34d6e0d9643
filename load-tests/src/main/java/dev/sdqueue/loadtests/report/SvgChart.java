package dev.sdqueue.loadtests.report;

import java.util.List;
import java.util.Locale;

/** Self-contained SVG charts (no script, no external file) for the HTML reports: lines/scatter and bars. */
public final class SvgChart {
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
    private static final int WIDTH = 860;
    private static final int HEIGHT = 320;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 34;
    private static final int BOTTOM = 48;
    private static final int LEGEND_PER_ROW = (WIDTH - LEFT - RIGHT) / 170;

    private SvgChart() {
    }

    /** Lines and/or scatter series on shared linear axes starting at 0. */
    public static String xy(String title, String xLabel, String yLabel, List<Series> series) {
        double maxX = 0;
        double maxY = 0;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (!Double.isNaN(s.x()[i]) && !Double.isNaN(s.y()[i])) {
                    maxX = Math.max(maxX, s.x()[i]);
                    maxY = Math.max(maxY, s.y()[i]);
                }
            }
        }
        double xTop = niceCeiling(maxX);
        double yTop = niceCeiling(maxY);
        StringBuilder svg = open(title);
        axes(svg, xLabel, yLabel, xTop, yTop, true);
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            String colour = COLOURS[k % COLOURS.length];
            if (s.scatter()) {
                for (int i = 0; i < s.x().length; i++) {
                    if (!Double.isNaN(s.x()[i]) && !Double.isNaN(s.y()[i])) {
                        svg.append(String.format(Locale.ROOT,
                                "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.8\" fill=\"%s\" fill-opacity=\"0.55\"/>",
                                px(s.x()[i], xTop), py(s.y()[i], yTop), colour));
                    }
                }
            } else {
                StringBuilder points = new StringBuilder();
                for (int i = 0; i < s.x().length; i++) {
                    if (!Double.isNaN(s.x()[i]) && !Double.isNaN(s.y()[i])) {
                        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px(s.x()[i], xTop),
                                py(s.y()[i], yTop)));
                    }
                }
                svg.append("<polyline fill=\"none\" stroke-width=\"1.6\" stroke=\"").append(colour)
                        .append("\" points=\"").append(points.toString().strip()).append("\"/>");
            }
            // Legend: four entries per row above the plot; further rows (more than four series) continue below.
            int column = k % LEGEND_PER_ROW;
            int row = k / LEGEND_PER_ROW;
            svg.append(String.format(Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>",
                    LEFT + 10 + 170 * column, TOP - 14 + 13 * row, colour, LEFT + 24 + 170 * column,
                    TOP - 5 + 13 * row, escape(s.name())));
        }
        return svg.append("</svg>").toString();
    }

    /** One bar per label (e.g. a histogram's buckets or percentiles). */
    public static String bars(String title, String xLabel, String yLabel, List<String> labels, double[] values) {
        double maxY = 0;
        for (double value : values) {
            maxY = Math.max(maxY, Double.isNaN(value) ? 0 : value);
        }
        double yTop = niceCeiling(maxY);
        StringBuilder svg = open(title);
        axes(svg, xLabel, yLabel, 0, yTop, false);
        double slot = (WIDTH - LEFT - RIGHT) / (double) Math.max(1, labels.size());
        int labelEvery = Math.max(1, (int) Math.ceil(labels.size() / 16.0));
        for (int i = 0; i < labels.size(); i++) {
            double value = Double.isNaN(values[i]) ? 0 : values[i];
            double x = LEFT + i * slot;
            double y = py(value, yTop);
            svg.append(String.format(Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s: %s</title></rect>",
                    x + slot * 0.1, y, slot * 0.8, HEIGHT - BOTTOM - y, COLOURS[0], escape(labels.get(i)),
                    format(value)));
            if (i % labelEvery == 0) {
                svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>",
                        x + slot / 2, HEIGHT - BOTTOM + 16, escape(labels.get(i))));
            }
        }
        return svg.append("</svg>").toString();
    }

    private static StringBuilder open(String title) {
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"14\" font-size=\"13\" font-weight=\"bold\">%s</text>",
                LEFT, escape(title)));
        return svg;
    }

    private static void axes(StringBuilder svg, String xLabel, String yLabel, double xTop, double yTop,
                             boolean xTicks) {
        int bottom = HEIGHT - BOTTOM;
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>",
                LEFT, TOP, LEFT, bottom));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>",
                LEFT, bottom, WIDTH - RIGHT, bottom));
        for (int i = 0; i <= 5; i++) {
            double value = yTop * i / 5;
            double y = py(value, yTop);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", LEFT, y, WIDTH - RIGHT, y, LEFT - 4,
                    y + 4, format(value)));
            if (xTicks) {
                double xValue = xTop * i / 5;
                svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>",
                        px(xValue, xTop), bottom + 16, format(xValue)));
            }
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>",
                (LEFT + WIDTH - RIGHT) / 2, HEIGHT - 8, escape(xLabel)));
        svg.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" text-anchor=\"middle\" "
                + "transform=\"rotate(-90 14 %d)\">%s</text>", (TOP + bottom) / 2, (TOP + bottom) / 2, escape(yLabel)));
    }

    private static double px(double x, double xTop) {
        return LEFT + (WIDTH - LEFT - RIGHT) * (xTop == 0 ? 0 : x / xTop);
    }

    private static double py(double y, double yTop) {
        return HEIGHT - BOTTOM - (HEIGHT - BOTTOM - TOP) * (yTop == 0 ? 0 : y / yTop);
    }

    /** The smallest 1, 2, 2.5 or 5 times a power of ten at or above {@code value} (1 for 0). */
    static double niceCeiling(double value) {
        if (!(value > 0)) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * power >= value) {
                return step * power;
            }
        }
        return 10 * power;
    }

    static String format(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e9) {
            return Long.toString((long) value);
        }
        return Math.abs(value) >= 10 ? String.format(Locale.ROOT, "%.1f", value)
                : String.format(Locale.ROOT, "%.2f", value);
    }

    public static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
