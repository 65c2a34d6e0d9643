package dev.sdqueue.dispatcher.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.schema.GenerationRequested;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AcceptedJobsTest {
    private final AtomicLong nanos = new AtomicLong();
    private final AcceptedJobs jobs = new AcceptedJobs(Duration.ofMinutes(5), 3, nanos::get);

    @Test
    void anAcceptedJobIsQueuedUntilTheRetentionPasses() {
        jobs.record(request("a"));
        assertThat(jobs.get("a").orElseThrow().status()).isEqualTo(JobPhase.QUEUED);
        assertThat(jobs.get("a").orElseThrow().request()).isEqualTo(request("a"));
        nanos.addAndGet(Duration.ofMinutes(5).toNanos() + 1);
        assertThat(jobs.get("a")).isEmpty();
        jobs.record(request("b"));
        assertThat(jobs.size()).as("expired entries leave on the next write").isEqualTo(1);
    }

    @Test
    void theOldestLeaveBeyondTheBoundAndForgottenOnesAtOnce() {
        for (String id : new String[] {"a", "b", "c", "d"}) {
            jobs.record(request(id));
            nanos.incrementAndGet();
        }
        assertThat(jobs.get("a")).isEmpty();
        assertThat(jobs.get("d")).isPresent();
        assertThat(jobs.size()).isEqualTo(3);
        jobs.forget("c");
        assertThat(jobs.get("c")).isEmpty();
    }

    private static GenerationRequested request(String id) {
        return new GenerationRequested(id, "p", null, 512, 512, 20, 7.5, null, null, 1, null,
                Instant.parse("2026-01-01T00:00:00Z"));
    }
}
