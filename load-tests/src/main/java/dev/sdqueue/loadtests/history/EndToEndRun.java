package dev.sdqueue.loadtests.history;

import dev.sdqueue.loadtests.BenchClock;
import dev.sdqueue.loadtests.EventTracker;
import dev.sdqueue.loadtests.Percentiles;
import dev.sdqueue.loadtests.load.RequestShape;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Step 4 of a {@link VariantRun}: new jobs through the dispatchers, submit to {@code completed}. */
final class EndToEndRun {
    private static final Pattern JOB_ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");

    /** What the new jobs did. */
    record Result(int submitted, int accepted, int httpErrors, int completed, int failed, int lost,
                    Percentiles latencyMs, Percentiles submitMs) {
        static final Result SKIPPED = new Result(0, 0, 0, 0, 0, 0, Percentiles.EMPTY, Percentiles.EMPTY);

        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("submitted", submitted);
            map.put("accepted", accepted);
            map.put("httpErrors", httpErrors);
            map.put("completed", completed);
            map.put("failed", failed);
            map.put("lost", lost);
            map.put("submitToCompletedMs", latencyMs.toMap());
            map.put("submitMs", submitMs.toMap());
            return map;
        }
    }

    private final VariantRun run;

    EndToEndRun(VariantRun run) {
        this.run = run;
    }

    record Submitted(String jobId, int status, long sentMicros, double submitMs) {
    }

    Submitted submit(URI dispatcher) {
        long sent = BenchClock.nowMicros();
        try {
            HttpResponse<String> response = run.http.send(HttpRequest.newBuilder(dispatcher.resolve("/v1/generations"))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(RequestShape.small().body())).build(),
                    HttpResponse.BodyHandlers.ofString());
            double ms = (BenchClock.nowMicros() - sent) / 1000.0;
            Matcher m = JOB_ID.matcher(response.body());
            return new Submitted(response.statusCode() == 202 && m.find() ? m.group(1) : null, response.statusCode(),
                    sent, ms);
        } catch (java.io.IOException e) {
            return new Submitted(null, 0, sent, Double.NaN);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Submitted(null, 0, sent, Double.NaN);
        }
    }

    /**
     * {@code e2eJobs} submissions at {@code e2eRate}/s (open model: each at its planned time, on a thread of its
     * own, so a slow answer does not delay the next), alternating over the dispatchers; then waits for every
     * accepted job's terminal event. Latency: send to the {@code completed} event received.
     */
    Result run(Map<String, URI> dispatchers, EventTracker tracker) throws InterruptedException {
        if (run.settings.e2eJobs() <= 0) {
            return Result.SKIPPED;
        }
        run.out.printf(Locale.ROOT, "  end to end: %d jobs at %.1f/s over %s, worker-1 running them%n",
                run.settings.e2eJobs(), run.settings.e2eRate(), dispatchers.keySet());
        AppRun worker = run.running.stream().filter(app -> app.name().startsWith("worker") && app.alive()).findFirst()
                .orElse(null);
        if (worker == null || !worker.ready()) {
            run.note("end to end skipped: no ready worker");
            return Result.SKIPPED;
        }
        List<URI> targets = List.copyOf(dispatchers.values());
        List<Submitted> submitted = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> senders = new ArrayList<>();
        long begin = System.nanoTime();
        long interval = (long) (1e9 / run.settings.e2eRate());
        for (int i = 0; i < run.settings.e2eJobs(); i++) {
            long planned = begin + i * interval;
            long wait;
            while ((wait = planned - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            URI target = targets.get(i % targets.size());
            Thread sender = new Thread(() -> submitted.add(submit(target)), "sdq-bench-e2e-" + i);
            sender.setDaemon(true);
            sender.start();
            senders.add(sender);
        }
        for (Thread sender : senders) {
            sender.join(15_000);
        }
        List<Submitted> accepted = submitted.stream().filter(s -> s.jobId() != null).toList();
        List<String> ids = accepted.stream().map(Submitted::jobId).toList();
        tracker.awaitTerminals(ids, run.settings.e2eTimeout());
        List<Double> latencies = new ArrayList<>();
        int completed = 0;
        int failed = 0;
        for (Submitted s : accepted) {
            Optional<EventTracker.JobEvents> seen = tracker.job(s.jobId());
            if (seen.isPresent() && seen.get().completed()) {
                completed++;
                run.completedHere.add(s.jobId());
                latencies.add((seen.get().terminalReceivedMicros() - s.sentMicros()) / 1000.0);
            } else if (seen.isPresent() && seen.get().ended()) {
                failed++;
            }
        }
        Result result = new Result(submitted.size(), accepted.size(), submitted.size() - accepted.size(),
                completed, failed, accepted.size() - completed - failed, Percentiles.of(latencies),
                Percentiles.of(accepted.stream().mapToDouble(Submitted::submitMs).toArray()));
        run.out.printf(Locale.ROOT, "  end to end: %d submitted, %d accepted, %d completed, %d failed, %d lost; "
                        + "submit -> completed %s%n", result.submitted(), result.accepted(), result.completed(),
                result.failed(), result.lost(), result.latencyMs().line());
        return result;
    }
}
