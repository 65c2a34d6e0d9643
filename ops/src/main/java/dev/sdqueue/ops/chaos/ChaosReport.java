package dev.sdqueue.ops.chaos;

import dev.sdqueue.ops.chaos.EventLog.Terminal;
import dev.sdqueue.ops.chaos.JobSubmitter.Submission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of a chaos run, computed from what was submitted and what {@code sdq.generation.events} says. A job's
 * state is its first terminal event (as in the dispatcher's status view); {@code lost} = accepted with no terminal
 * event, {@code duplicate_terminal} = more than one terminal event; latency = first POST to the first terminal
 * event's record timestamp.
 */
record ChaosReport(int submitted, int succeeded, int failed, int lost, int duplicateTerminal, long dlq,
                   long[] latenciesMs, Map<String, Long> failureReasons, Map<Integer, Long> jobsByAttempts,
                   List<String> lostJobs, List<String> duplicateJobs) {

    /** Percentiles printed in the summary. */
    static final double[] PERCENTILES = {50, 90, 99, 99.9};

    static ChaosReport compute(Collection<Submission> submissions, Map<String, List<Terminal>> terminals, long dlq) {
        int succeeded = 0;
        int failed = 0;
        List<String> lost = new ArrayList<>();
        List<String> duplicates = new ArrayList<>();
        List<Long> latencies = new ArrayList<>();
        Map<String, Long> reasons = new TreeMap<>();
        Map<Integer, Long> attempts = new TreeMap<>();
        for (Submission submission : submissions) {
            List<Terminal> ends = terminals.getOrDefault(submission.jobId(), List.of());
            if (ends.isEmpty()) {
                lost.add(submission.jobId());
                continue;
            }
            if (ends.size() > 1) {
                duplicates.add(submission.jobId());
            }
            Terminal first = ends.stream().min(Comparator.comparingLong(Terminal::timestampMs)).orElseThrow();
            if (first.completed()) {
                succeeded++;
            } else {
                failed++;
                reasons.merge(String.valueOf(first.reason()), 1L, Long::sum);
            }
            attempts.merge(first.attempt(), 1L, Long::sum);
            latencies.add(Math.max(0, first.timestampMs() - submission.submittedAtMs()));
        }
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        lost.sort(null);
        duplicates.sort(null);
        return new ChaosReport(submissions.size(), succeeded, failed, lost.size(), duplicates.size(), dlq, sorted,
                reasons, attempts, List.copyOf(lost), List.copyOf(duplicates));
    }

    long maxLatencyMs() {
        return latenciesMs.length == 0 ? 0 : latenciesMs[latenciesMs.length - 1];
    }

    /** Nearest-rank percentile of the latencies (0 when there are none). */
    long percentileMs(double percentile) {
        if (latenciesMs.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(percentile / 100.0 * latenciesMs.length);
        return latenciesMs[Math.min(latenciesMs.length, Math.max(1, rank)) - 1];
    }

    /** Nothing lost, nothing duplicated: the run's pass criterion. */
    boolean passed() {
        return lost == 0 && duplicateTerminal == 0;
    }

    /** The summary's last line, exactly as the issue specifies it (scripts parse it). */
    String lastLine() {
        return "chaos: submitted=" + submitted + " succeeded=" + succeeded + " failed=" + failed + " lost=" + lost
                + " duplicate_terminal=" + duplicateTerminal + " dlq=" + dlq + " max_latency_ms=" + maxLatencyMs();
    }

    /** The latency line: {@code p50=… p90=… p99=… p99.9=… max=… (n jobs)}. */
    String latencyLine() {
        StringBuilder line = new StringBuilder("latency ms (first POST -> first terminal event):");
        for (double p : PERCENTILES) {
            String label = p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
            line.append(" p").append(label).append('=').append(percentileMs(p));
        }
        return line.append(" max=").append(maxLatencyMs()).append(" (").append(latenciesMs.length)
                .append(" jobs)").toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ChaosReport that && lastLine().equals(that.lastLine())
                && Arrays.equals(latenciesMs, that.latenciesMs);
    }

    @Override
    public int hashCode() {
        return lastLine().hashCode();
    }

    @Override
    public String toString() {
        return lastLine();
    }
}
