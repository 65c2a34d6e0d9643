package dev.sdqueue.loadtests.worker;

import dev.sdqueue.loadtests.BenchSystem;
import dev.sdqueue.loadtests.EventTracker;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One worker kept busy by a backlog: scrapes its metrics once the first job of the backlog ended (A) and once all
 * but the last had (B), so that between A and B the model always had work. Memory is sampled all along.
 */
final class SaturationRun {
    private static final Duration POLL = Duration.ofMillis(5);

    /** What one run measured between A and B, per job where it says so. */
    record Result(String label, int jobs, double wallSeconds, double modelBusySeconds, double jobsPerSecond,
                  Map<String, Double> stageMsPerJob, double idleRssMb, double idleHeapMb, double peakRssMb,
                  double peakHeapMb, int failed) {
        double dutyCycle() {
            return modelBusySeconds / wallSeconds;
        }

        /** Time per job the model did not run (the ceiling is 0). */
        double modelIdleMsPerJob() {
            return (wallSeconds - modelBusySeconds) * 1000 / Math.max(1, jobs);
        }

        /** PNG + upload + completed per job: the work that should run while the model is busy. */
        double finishingMsPerJob() {
            return stageMsPerJob.getOrDefault("png", 0.0) + stageMsPerJob.getOrDefault("upload", 0.0)
                    + stageMsPerJob.getOrDefault("publish", 0.0);
        }
    }

    private SaturationRun() {
    }

    /**
     * Two warm-up jobs, then a backlog sized to keep the worker busy about {@code backlog} (from the warm-up job's
     * time), at least {@code minJobs} jobs.
     */
    static Result run(String label, BenchSystem system, RequestBacklog.Shape shape, Duration backlog, int minJobs,
                      Duration timeout, Consumer<String> log) throws IOException, InterruptedException {
        URI metrics = system.workers().get(0).uri("/q/metrics");
        try (EventTracker events = EventTracker.startAtEnd(system.bootstrapServers())) {
            WorkerMetrics idle = WorkerMetrics.scrape(metrics);
            List<String> warm = RequestBacklog.send(system.bootstrapServers(), shape, 2);
            if (!events.awaitTerminals(warm, timeout)) {
                throw new IllegalStateException(label + ": the warm-up jobs did not end within " + timeout);
            }
            double jobMs = events.job(warm.get(1)).flatMap(j -> j.timing("totalMs")).orElse(100.0);
            int jobs = (int) Math.max(Math.max(3, minJobs), Math.min(5000, backlog.toMillis() / Math.max(1, jobMs)));
            List<WorkerMetrics> samples = new ArrayList<>();
            List<String> ids = RequestBacklog.send(system.bootstrapServers(), shape, jobs);
            log.accept(label + ": " + jobs + " jobs queued");
            WorkerMetrics a = awaitEnded(events, ids, 1, metrics, samples, timeout);
            WorkerMetrics b = awaitEnded(events, ids, jobs - 1, metrics, samples, timeout);
            if (!events.awaitTerminals(ids, timeout)) {
                throw new IllegalStateException(label + ": not every job ended within " + timeout);
            }
            long failed = ids.stream().map(events::job).filter(j -> j.isEmpty() || !j.get().completed()).count();
            double jobsBetween = b.stageCount("vae_decode") - a.stageCount("vae_decode");
            Map<String, Double> perJob = new LinkedHashMap<>();
            for (String stage : WorkerMetrics.STAGES) {
                double count = b.stageCount(stage) - a.stageCount(stage);
                perJob.put(stage, count <= 0 ? 0.0 : (b.stageSeconds(stage) - a.stageSeconds(stage)) * 1000 / count);
            }
            double wall = a.seconds(b);
            double peakRss = samples.stream().mapToDouble(WorkerMetrics::residentBytes).max().orElse(0);
            double peakHeap = samples.stream().mapToDouble(WorkerMetrics::heapUsedBytes).max().orElse(0);
            return new Result(label, (int) jobsBetween, wall, b.modelBusySeconds() - a.modelBusySeconds(),
                    jobsBetween / wall, perJob, mb(idle.residentBytes()), mb(idle.heapUsedBytes()), mb(peakRss),
                    mb(peakHeap), (int) failed);
        }
    }

    /** Polls the tracker until {@code count} of {@code ids} ended, sampling metrics about every 250 ms meanwhile. */
    private static WorkerMetrics awaitEnded(EventTracker events, List<String> ids, int count, URI metrics,
                                            List<WorkerMetrics> samples, Duration timeout)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextSample = 0;
        while (events.endedCount(ids) < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(events.endedCount(ids) + " of " + ids.size() + " jobs ended within "
                        + timeout);
            }
            if (System.nanoTime() >= nextSample) {
                samples.add(WorkerMetrics.scrape(metrics));
                nextSample = System.nanoTime() + 250_000_000L;
            }
            Thread.sleep(POLL.toMillis());
        }
        WorkerMetrics at = WorkerMetrics.scrape(metrics);
        samples.add(at);
        return at;
    }

    private static double mb(double bytes) {
        return bytes / (1024 * 1024);
    }
}
