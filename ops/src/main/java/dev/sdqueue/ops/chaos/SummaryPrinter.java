package dev.sdqueue.ops.chaos;

import dev.sdqueue.ops.chaos.EventLog.Started;
import dev.sdqueue.ops.chaos.EventLog.Terminal;
import dev.sdqueue.ops.chaos.FaultInjector.Kill;
import dev.sdqueue.ops.chaos.JobSubmitter.Submission;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** The human part of the summary: timeline, what became of each killed job and each poison record, totals. */
final class SummaryPrinter {
    private static final int LIST_AT_MOST = 20;

    private final ChaosPlan plan;
    private final String runId;
    private final Timeline timeline;
    private final PrintStream out;

    SummaryPrinter(ChaosPlan plan, String runId, Timeline timeline, PrintStream out) {
        this.plan = plan;
        this.runId = runId;
        this.timeline = timeline;
        this.out = out;
    }

    /**
     * The timeline, then per kill what happened to the job afterwards. A kill is confirmed mid-job when the job
     * started again with the same attempt number (the unacknowledged record was redelivered); a higher attempt
     * means the worker had already passed it to a retry topic. Returns the confirmed count.
     */
    int printKills(List<Kill> kills, EventLog events, Map<String, Submission> accepted) {
        out.println();
        out.println("== chaos summary (run " + runId + ") ==");
        out.println("run: " + plan.describe());
        out.println("timeline (seconds since the first submission):");
        timeline.lines().forEach(line -> out.println("  " + line));
        int confirmed = 0;
        if (!kills.isEmpty()) {
            out.println("killed jobs:");
        }
        for (Kill kill : kills) {
            Optional<Started> next = events.startsOf(kill.jobId()).stream()
                    .filter(s -> s.timestampMs() > kill.killedAtMs()).min(Comparator.comparingLong(Started::timestampMs));
            List<Terminal> ends = events.terminals().getOrDefault(kill.jobId(), List.of());
            boolean sameAttempt = next.isPresent() && next.get().attempt() == kill.attempt();
            if (sameAttempt) {
                confirmed++;
            }
            StringBuilder line = new StringBuilder("  " + kill.jobId() + ": killed on " + kill.worker() + " at "
                    + timeline.at(kill.killedAtMs()) + " (attempt " + kill.attempt() + ", step " + kill.step() + ")");
            next.ifPresent(s -> line.append(" -> started again on ").append(s.worker()).append(" at ")
                    .append(timeline.at(s.timestampMs())).append(" (attempt ").append(s.attempt()).append(')'));
            if (ends.isEmpty()) {
                line.append(" -> NO terminal event");
            } else {
                Terminal end = ends.get(0);
                line.append(" -> ").append(end.type()).append(end.reason() == null ? "" : " (" + end.reason() + ")")
                        .append(" at ").append(timeline.at(end.timestampMs()));
                Submission submission = accepted.get(kill.jobId());
                if (submission != null) {
                    line.append(", latency ").append(end.timestampMs() - submission.submittedAtMs()).append(" ms");
                }
                if (ends.size() > 1) {
                    line.append(", ").append(ends.size()).append(" terminal events!");
                }
            }
            line.append(sameAttempt ? "  [mid-job: redelivered with the same attempt]"
                    : "  [not confirmed mid-job: " + (next.isPresent() ? "next start was attempt "
                    + next.get().attempt() + ", i.e. a retry" : "no later start") + "]");
            out.println(line);
        }
        return confirmed;
    }

    /** Each poison record's fate, found on the DLQ by the {@code ce_id} it kept. Returns how many are there. */
    int printPoison(int acked, List<KafkaProbe.DeadLetter> deadLetters) {
        if (plan.poison() == 0) {
            return 0;
        }
        String prefix = "chaos-poison-" + runId + "-";
        Map<String, String> reasonByCeId = deadLetters.stream().filter(l -> l.ceId() != null
                && l.ceId().startsWith(prefix)).collect(Collectors.toMap(KafkaProbe.DeadLetter::ceId,
                l -> l.reason() + " (" + l.valueBytes() + " bytes kept)", (a, b) -> a + " + " + b));
        Map<String, String> fates = new TreeMap<>();
        for (int p = 0; p < plan.poison(); p++) {
            String kind = PoisonRecords.kindOf(p).label();
            String reason = reasonByCeId.getOrDefault(prefix + p, "NOT on the DLQ");
            fates.merge(kind + " -> " + reason, "#" + p, (a, b) -> a + " #" + b.substring(1));
        }
        out.println("poison records: " + plan.poison() + " injected, " + acked + " acknowledged by the broker, "
                + reasonByCeId.size() + " found on the DLQ by ce_id:");
        fates.forEach((fate, which) -> out.println("  " + fate + "  (" + which + ")"));
        return reasonByCeId.size();
    }

    void printTotals(ChaosReport report, JobSubmitter submitter, EventLog events,
            List<KafkaProbe.DeadLetter> deadLetters) {
        out.println("submissions: " + submitter.acceptedCount() + " accepted, " + submitter.rejectedCount()
                + " rejected, " + submitter.abandonedCount() + " given up, " + submitter.retriedCount()
                + " POSTs repeated with the same Idempotency-Key (503/409/connection error)");
        out.println("outcomes: succeeded " + report.succeeded() + ", failed " + report.failed()
                + (report.failureReasons().isEmpty() ? "" : " " + report.failureReasons()) + ", lost " + report.lost()
                + ", duplicate terminal " + report.duplicateTerminal());
        out.println("attempt of the deciding terminal event: " + report.jobsByAttempts());
        long moved = submitter.acceptedById().keySet().stream()
                .filter(job -> events.startsOf(job).stream().map(EventLog.Started::worker).distinct().count() > 1)
                .count();
        out.println("jobs started by more than one worker (moved by a kill, a leave or a rebalance): " + moved);
        out.println("dead-letter topic: " + deadLetters.size() + " record(s), by reason "
                + KafkaProbe.byReason(deadLetters));
        long foreign = events.terminals().keySet().stream()
                .filter(job -> !submitter.acceptedById().containsKey(job)).count();
        out.println("event topic: " + events.recordsRead() + " records read, " + events.unreadableRecords()
                + " unreadable, terminal events for " + foreign + " job id(s) this run did not submit (poison keys)");
        out.println(report.latencyLine());
        printJobs("lost jobs", report.lostJobs(), events);
        printJobs("jobs with more than one terminal event", report.duplicateJobs(), events);
        out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores, "
                + ManagementFactory.getOperatingSystemMXBean().getName() + " "
                + ManagementFactory.getOperatingSystemMXBean().getVersion() + ", Java "
                + System.getProperty("java.version"));
    }

    private void printJobs(String what, List<String> jobs, EventLog events) {
        if (jobs.isEmpty()) {
            return;
        }
        out.println(what + " (" + jobs.size() + (jobs.size() > LIST_AT_MOST ? ", first " + LIST_AT_MOST : "") + "):");
        Map<String, List<Terminal>> terminals = events.terminals();
        for (String job : jobs.stream().limit(LIST_AT_MOST).toList()) {
            out.println("  " + job + "  starts " + events.startsOf(job).stream()
                    .map(s -> s.worker() + "#" + s.attempt() + "@" + timeline.at(s.timestampMs())).toList()
                    + "  terminals " + terminals.getOrDefault(job, List.of()).stream()
                    .map(t -> t.type() + "#" + t.attempt() + "@" + timeline.at(t.timestampMs())).toList());
        }
    }
}
