package dev.sdqueue.loadtests.load;

import dev.sdqueue.loadtests.EventTracker;
import dev.sdqueue.loadtests.Percentiles;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * Everything one load run measured: every submission, and for each accepted one what the event topic said about
 * its job by the end of the drain. Figures are computed from these, never from Gatling's statistics.
 */
public record LoadResult(LoadPlan plan, List<Submission> submissions, List<JobSample> jobs, long drainEndMicros) {
    public LoadResult {
        submissions = List.copyOf(submissions);
        jobs = List.copyOf(jobs);
    }

    /** Joins the submissions with the tracker's view of their jobs. */
    public static LoadResult of(LoadPlan plan, List<Submission> submissions, Map<String, EventTracker.JobEvents> seen,
                                long drainEndMicros) {
        List<JobSample> jobs = new ArrayList<>();
        for (Submission submission : submissions) {
            if (submission.accepted()) {
                jobs.add(new JobSample(submission, seen.get(submission.jobId())));
            }
        }
        return new LoadResult(plan, submissions, jobs, drainEndMicros);
    }

    /** The same result restricted to one phase's submissions and jobs (e.g. without a warm-up phase). */
    public LoadResult onlyPhase(String name) {
        return new LoadResult(plan, submissions.stream().filter(s -> s.phase().equals(name)).toList(),
                jobs.stream().filter(job -> job.submission().phase().equals(name)).toList(), drainEndMicros);
    }

    public long submitted() {
        return submissions.size();
    }

    public long accepted() {
        return jobs.size();
    }

    /** Non-202 answers by HTTP status ({@code 0} = no answer: connection error or timeout). */
    public Map<Integer, Long> httpErrors() {
        Map<Integer, Long> errors = new TreeMap<>();
        submissions.stream().filter(s -> !s.accepted()).forEach(s -> errors.merge(s.status(), 1L, Long::sum));
        return errors;
    }

    public long httpErrorCount() {
        return submitted() - accepted();
    }

    public long completed() {
        return jobs.stream().filter(JobSample::completed).count();
    }

    /** Jobs whose terminal event was {@code failed}, by reason. */
    public Map<String, Long> failedByReason() {
        Map<String, Long> failed = new TreeMap<>();
        jobs.stream().filter(job -> job.ended() && !job.completed())
                .forEach(job -> failed.merge(String.valueOf(job.events().failureReason()), 1L, Long::sum));
        return failed;
    }

    public long failed() {
        return failedByReason().values().stream().mapToLong(Long::longValue).sum();
    }

    /** Accepted jobs with no terminal event by the end of the drain (lost, or slower than the drain timeout). */
    public long lost() {
        return jobs.stream().filter(job -> !job.ended()).count();
    }

    public long duplicateTerminals() {
        return jobs.stream().filter(job -> job.ended() && job.events().terminals() > 1).count();
    }

    public long firstSendMicros() {
        return submissions.isEmpty() ? 0 : submissions.get(0).sendMicros();
    }

    /** From the first send to the last send (the injection window). */
    public double injectionSeconds() {
        if (submissions.size() < 2) {
            return Double.NaN;
        }
        return (submissions.get(submissions.size() - 1).sendMicros() - firstSendMicros()) / 1e6;
    }

    /** Submissions per second over the injection window (the offered rate). */
    public double offeredPerSecond() {
        return submitted() / injectionSeconds();
    }

    public double acceptedPerSecond() {
        return accepted() / injectionSeconds();
    }

    /** Completed jobs per second, from the first send to the last terminal event received. */
    public double completedPerSecond() {
        long last = jobs.stream().filter(JobSample::ended).mapToLong(job -> job.events().terminalReceivedMicros())
                .max().orElse(0);
        return last == 0 ? 0 : completed() / ((last - firstSendMicros()) / 1e6);
    }

    public Percentiles submitLatency() {
        return Percentiles.of(submissions.stream().filter(Submission::accepted).mapToDouble(Submission::latencyMs)
                .toArray());
    }

    /** Over completed jobs; see {@link JobSample}. */
    public Percentiles ofCompleted(ToDoubleFunction<JobSample> figure) {
        return Percentiles.of(jobs.stream().filter(JobSample::completed).mapToDouble(figure)
                .filter(value -> !Double.isNaN(value)).toArray());
    }

    public Percentiles endToEnd() {
        return ofCompleted(JobSample::endToEndMs);
    }

    public Percentiles pipeline() {
        return ofCompleted(JobSample::pipelineMs);
    }

    public Percentiles added() {
        return ofCompleted(JobSample::addedMs);
    }

    /** The submissions of one phase. */
    public List<Submission> phase(String name) {
        return submissions.stream().filter(s -> s.phase().equals(name)).toList();
    }

    /** Per phase: submitted, accepted, errors, accepted/s over the phase's own window, submit latency. */
    public Map<String, Object> phaseSummary(String name) {
        List<Submission> own = phase(name);
        Map<String, Object> map = new LinkedHashMap<>();
        long accepted = own.stream().filter(Submission::accepted).count();
        double seconds = own.size() < 2 ? Double.NaN
                : (own.get(own.size() - 1).sendMicros() - own.get(0).sendMicros()) / 1e6;
        map.put("submitted", own.size());
        map.put("accepted", accepted);
        map.put("errors", own.size() - accepted);
        map.put("offeredPerSecond", round(own.size() / seconds));
        map.put("acceptedPerSecond", round(accepted / seconds));
        map.put("submitLatencyMs", Percentiles.of(own.stream().filter(Submission::accepted)
                .mapToDouble(Submission::latencyMs).toArray()).toMap());
        return map;
    }

    /** The JSON summary of the run. */
    public Map<String, Object> summary() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("submitted", submitted());
        map.put("accepted", accepted());
        map.put("httpErrors", httpErrors());
        map.put("completed", completed());
        map.put("failed", failedByReason());
        map.put("lost", lost());
        map.put("duplicateTerminals", duplicateTerminals());
        map.put("injectionSeconds", round(injectionSeconds()));
        map.put("offeredPerSecond", round(offeredPerSecond()));
        map.put("acceptedPerSecond", round(acceptedPerSecond()));
        map.put("completedPerSecond", round(completedPerSecond()));
        map.put("submitLatencyMs", submitLatency().toMap());
        map.put("endToEndMs", endToEnd().toMap());
        map.put("pipelineMs", pipeline().toMap());
        map.put("uploadMs", ofCompleted(JobSample::uploadMs).toMap());
        map.put("addedMs", added().toMap());
        Map<String, Object> phases = new LinkedHashMap<>();
        plan.phases().forEach(phase -> phases.put(phase.name(), phaseSummary(phase.name())));
        map.put("phases", phases);
        return map;
    }

    static Double round(double value) {
        return Double.isNaN(value) || Double.isInfinite(value) ? null : Math.round(value * 100) / 100.0;
    }
}
