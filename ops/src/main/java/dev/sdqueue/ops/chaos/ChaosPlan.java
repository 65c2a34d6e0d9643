package dev.sdqueue.ops.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a chaos run does. {@code rate} 0 = automatic: slow enough that the faults fall inside the submission window
 * (at least 20 s + the S3 outage + 12 s per kill + 20 s for a broker restart + the rebalance storm), at most 10
 * jobs/s. {@code storm} zero = no rebalance storm.
 */
record ChaosPlan(int jobs, int kills, boolean brokerRestart, boolean brokerKill, Duration s3Outage, int poison,
                 int workers, double rate, Duration settleTimeout, Duration readyTimeout, int sessionTimeoutMs,
                 String workerHeap, Map<String, String> workerProperties, List<Long> retryTopicsMs, Path root,
                 Path workDir, boolean keep, Duration storm, Duration stormEvery) {

    static final double MAX_AUTO_RATE = 10.0;

    ChaosPlan {
        if (jobs < 1) {
            throw new IllegalArgumentException("--jobs must be >= 1");
        }
        if (kills < 0 || poison < 0 || s3Outage.isNegative()) {
            throw new IllegalArgumentException("--kills, --poison and --s3-outage must be >= 0");
        }
        if (workers < 1) {
            throw new IllegalArgumentException("--workers must be >= 1");
        }
        if (storm.isNegative() || stormEvery.isNegative() || stormEvery.isZero()) {
            throw new IllegalArgumentException("--rebalance-storm must be >= 0 and --storm-every > 0");
        }
        if (rate < 0) {
            throw new IllegalArgumentException("--rate must be > 0 (or 0 for automatic)");
        }
        workerProperties = Map.copyOf(workerProperties);
        retryTopicsMs = List.copyOf(retryTopicsMs);
    }

    /** Jobs per second the submitter keeps to. */
    double effectiveRate() {
        if (rate > 0) {
            return rate;
        }
        double window = 20 + s3Outage.toSeconds() + 12.0 * kills + (brokerRestart ? 20 : 0) + storm.toSeconds();
        return Math.max(0.2, Math.min(MAX_AUTO_RATE, jobs / window));
    }

    /** How long submitting all jobs takes at the effective rate. */
    Duration submissionWindow() {
        return Duration.ofMillis((long) Math.ceil(jobs * 1000.0 / effectiveRate()));
    }

    /** The faults in the order they are injected: the S3 outage, a kill, the broker restart, the other kills. */
    List<String> faultOrder() {
        List<String> order = new ArrayList<>();
        if (!s3Outage.isZero()) {
            order.add("s3");
        }
        if (kills > 0) {
            order.add("kill");
        }
        if (brokerRestart) {
            order.add("broker");
        }
        for (int i = 1; i < kills; i++) {
            order.add("kill");
        }
        return order;
    }

    /** After which job index the {@code p}-th poison record goes out (spread evenly over the submissions). */
    int poisonAfterJob(int p) {
        return (int) ((long) (p + 1) * jobs / (poison + 1));
    }

    String describe() {
        return String.format("%d jobs at %.1f/s over %d s, %d workers, %d kill(s), %s, %s, %d poison record(s)",
                jobs, effectiveRate(), submissionWindow().toSeconds(), workers, kills,
                brokerRestart ? "broker restart (" + (brokerKill ? "SIGKILL" : "SIGTERM") + ")" : "no broker restart",
                s3Outage.isZero() ? "no S3 outage" : "S3 outage " + s3Outage.toSeconds() + " s", poison)
                + (storm.isZero() ? "" : ", rebalance storm for " + storm.toSeconds() + " s (a join or leave every "
                + stormEvery.toSeconds() + " s)");
    }
}
