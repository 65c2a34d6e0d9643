package dev.sdqueue.worker.cli;

import dev.sdqueue.pipeline.StageTimings;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The per-stage timings of one run as a two-column table: model load, tokenize, text encoder, each UNet step, VAE, PNG. */
final class TimingsTable {

    private record Row(String stage, Duration took) {
    }

    private final List<Row> rows = new ArrayList<>();

    void add(String stage, Duration took) {
        rows.add(new Row(stage, took));
    }

    /** The pipeline's stages, one row per UNet step. */
    void addGeneration(StageTimings t) {
        add("tokenize", t.tokenize());
        add("text encoder", t.textEncoder());
        List<Duration> steps = t.unetSteps();
        for (int i = 0; i < steps.size(); i++) {
            add("unet step " + (i + 1) + "/" + steps.size(), steps.get(i));
        }
        add("denoise (all steps)", t.denoise());
        add("vae decode", t.vaeDecode());
        add("png encode", t.pngEncode());
        add("generate total", t.total());
    }

    List<String> stages() {
        return rows.stream().map(Row::stage).toList();
    }

    void print(PrintWriter out) {
        int width = Math.max("stage".length(), rows.stream().mapToInt(r -> r.stage().length()).max().orElse(0));
        out.printf(Locale.ROOT, "%-" + width + "s  %10s%n", "stage", "ms");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%-" + width + "s  %10.1f%n", r.stage(), r.took().toNanos() / 1e6);
        }
        out.flush();
    }
}
