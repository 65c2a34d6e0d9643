package dev.sdqueue.local;

import java.time.Duration;
import java.util.function.Consumer;

/** Waiting for an app of a {@link LocalSystem} to answer {@code GET /q/health/ready} with 200. */
final class Readiness {
    private Readiness() {
    }

    /** Told once a second while an app is not ready yet. */
    @FunctionalInterface
    interface Ticker {
        void waiting(String name, String what, long elapsedSeconds, String lastLogLine);

        /** Told when the wait ends (ready or failed), e.g. to clear a live status line. */
        default void done() {
        }
    }

    /** A line every 15 s: {@code waiting for worker (model load + warm-up) 30 s}. */
    static Ticker everyFifteenSeconds(Consumer<String> progress) {
        return (name, what, elapsed, lastLine) -> {
            if (elapsed > 0 && elapsed % 15 == 0) {
                progress.accept("waiting for " + name + " (" + what + ") " + elapsed + " s");
            }
        };
    }

    /**
     * Polls until the app answers 200 ({@code <name> ready after N s: <url>} goes to {@code progress}); fails with
     * the log's tail if the process exits or {@code timeout} passes (the process is left as it is).
     */
    static void await(LocalSystem.Launched app, Duration timeout, String what, Ticker ticker,
            Consumer<String> progress) {
        String url = "http://" + Ports.HOST + ":" + app.port() + "/q/health/ready";
        long begin = System.nanoTime();
        long lastTick = -1;
        try {
            while (true) {
                int code = RecordedApp.probeReady(app.port());
                long elapsed = Duration.ofNanos(System.nanoTime() - begin).toSeconds();
                if (code == 200) {
                    ticker.done();
                    progress.accept(app.name() + " ready after " + elapsed + " s: " + url);
                    return;
                }
                if (!app.isAlive()) {
                    throw new LocalStackException(app.name() + " (pid " + app.pid() + ") exited during startup; last"
                            + " lines of " + app.log() + ":\n" + ChildProcess.tail(app.log(), 30));
                }
                if (elapsed >= timeout.toSeconds()) {
                    throw new LocalStackException(app.name() + " (pid " + app.pid() + ") not ready after "
                            + timeout.toSeconds() + " s (last answer: " + (code < 0 ? "none" : "HTTP " + code)
                            + " from " + url + "); last lines of " + app.log() + ":\n"
                            + ChildProcess.tail(app.log(), 20));
                }
                if (elapsed != lastTick) {
                    lastTick = elapsed;
                    ticker.waiting(app.name(), what, elapsed, ChildProcess.tail(app.log(), 1));
                }
                Ports.sleep(Duration.ofMillis(250));
            }
        } catch (RuntimeException e) {
            ticker.done(); // exited, timed out or interrupted
            throw e;
        }
    }
}
