package dev.sdqueue.worker.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Denoising progress on stderr: a bar redrawn in place with {@code \r} on a terminal, one line per
 * step otherwise (logs, pipes, CI), or nothing.
 */
final class ProgressBar {

    /** How progress is shown; AUTO picks BAR on a terminal and LINES elsewhere. */
    enum Mode { AUTO, BAR, LINES, NONE }

    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final Mode mode;
    private long elapsedNanos;
    private boolean drawn;

    ProgressBar(PrintWriter err, Mode mode, boolean terminal) {
        this.err = err;
        this.mode = mode == Mode.AUTO ? (terminal ? Mode.BAR : Mode.LINES) : mode;
    }

    Mode mode() {
        return mode;
    }

    /** A step finished: {@code step} of {@code total} (1-based), which took {@code took}. */
    void step(int step, int total, Duration took) {
        elapsedNanos += took.toNanos();
        double avgMs = elapsedNanos / 1e6 / step;
        double etaS = avgMs * (total - step) / 1000.0;
        switch (mode) {
            case BAR -> {
                int filled = (int) ((long) WIDTH * step / total);
                String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
                // \r returns to the line start, ESC[K clears what a longer previous line left behind.
                err.printf(Locale.ROOT, "\r[%s] %d/%d steps  %.1f ms/step  ETA %.1f s\u001b[K", bar, step, total, avgMs, etaS);
                drawn = true;
                if (step == total) {
                    finish();
                }
            }
            case LINES -> err.printf(Locale.ROOT, "step %d/%d  %.1f ms%n", step, total, took.toNanos() / 1e6);
            default -> {
            }
        }
        err.flush();
    }

    /** Ends a bar line (also when the run fails midway), so later output starts on a fresh line. */
    void finish() {
        if (drawn) {
            err.println();
            err.flush();
            drawn = false;
        }
    }
}
