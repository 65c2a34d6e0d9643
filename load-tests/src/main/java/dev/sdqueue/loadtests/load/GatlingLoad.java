package dev.sdqueue.loadtests.load;

import io.gatling.app.Gatling$;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;
import java.util.stream.Stream;

/**
 * Runs a {@link LoadPlan} with Gatling in this JVM ({@link LoadSimulation}) and collects every {@link Submission}.
 * Gatling's own HTML report (the HTTP side) lands in {@code <resultsDir>/<simulation>-<timestamp>/}. One run at a
 * time per JVM (Gatling instantiates the simulation by class name; the plan is handed over in a static field).
 */
public final class GatlingLoad {
    /** What the simulation reads when Gatling instantiates it. */
    record Handoff(LoadPlan plan, Consumer<Submission> sink) {
    }

    /** The submissions and where Gatling's report is (empty if it wrote none). */
    public record Outcome(List<Submission> submissions, Optional<Path> gatlingReport, int gatlingExitCode) {
    }

    private static volatile Handoff handoff;

    private GatlingLoad() {
    }

    static Handoff handoff() {
        Handoff current = handoff;
        if (current == null) {
            throw new IllegalStateException("LoadSimulation runs only through GatlingLoad.run");
        }
        return current;
    }

    /**
     * Configures Gatling through system properties before its first use: no usage analytics call, the console in
     * its light form, the request timeout of the plan. Gatling also asks Maven Central once a day for a newer
     * release, remembering the answer in the Java user preferences ({@code user.home}/.java, which the launcher
     * points into {@code .sdq}); recording a check of "now" there keeps runs from calling out at all.
     */
    static void configure(Duration requestTimeout) {
        System.setProperty("gatling.data.enableAnalytics", "false");
        System.setProperty("gatling.data.console.light", "true");
        System.setProperty("gatling.http.requestTimeout", Long.toString(requestTimeout.toMillis()));
        com.typesafe.config.ConfigFactory.invalidateCaches();
        try {
            Preferences latest = Preferences.userRoot().node("/io/gatling/latestVersion");
            latest.putLong("lastCheckTimestamp", System.currentTimeMillis());
            latest.putBoolean("lastCheckSuccess", false);
            latest.flush();
        } catch (BackingStoreException | SecurityException e) {
            // then Gatling checks; its failure is harmless
        }
    }

    public static synchronized Outcome run(LoadPlan plan, Path resultsDir, String description) throws IOException {
        ConcurrentLinkedQueue<Submission> submissions = new ConcurrentLinkedQueue<>();
        handoff = new Handoff(plan, submissions::add);
        int exit;
        try {
            exit = runSimulation(LoadSimulation.class, resultsDir, description, plan.requestTimeout());
        } finally {
            handoff = null;
        }
        List<Submission> sorted = new ArrayList<>(submissions);
        sorted.sort(Comparator.comparingLong(Submission::sendMicros));
        return new Outcome(List.copyOf(sorted), latestReport(resultsDir), exit);
    }

    /**
     * Runs any Gatling simulation of this JVM, configured as {@link #run} configures it (its set-up handed over by
     * the caller, e.g. in a static field read by its constructor); returns Gatling's exit code. One at a time.
     */
    public static synchronized int runSimulation(Class<?> simulation, Path resultsDir, String description,
                                                 Duration requestTimeout) throws IOException {
        Files.createDirectories(resultsDir);
        configure(requestTimeout);
        return Gatling$.MODULE$.fromArgs(new String[] {
                "--simulation", simulation.getName(),
                "--results-folder", resultsDir.toAbsolutePath().toString(),
                "--run-description", description,
                "--launcher", "sdq"});
    }

    /** The newest Gatling report under {@code resultsDir} ({@code <simulation>-<time>/index.html}), if any. */
    public static Optional<Path> latestReport(Path resultsDir) throws IOException {
        try (Stream<Path> dirs = Files.list(resultsDir)) {
            return dirs.filter(dir -> Files.isRegularFile(dir.resolve("index.html")))
                    .max(Comparator.comparing(dir -> dir.toFile().lastModified()))
                    .map(dir -> dir.resolve("index.html"));
        }
    }
}
