package dev.sdqueue.worker.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Shutdown drains the job in flight within the grace period or abandons it; overtime jobs are told to stop. */
class JobSupervisorTest {

    @Test
    void drainWaitsForTheJobInFlightAndThenRefusesNewOnes() throws Exception {
        JobSupervisor supervisor = new JobSupervisor(Duration.ofSeconds(10), Duration.ofMinutes(10),
                Clock.systemUTC());
        JobSupervisor.Lease lease = supervisor.begin("job-1").orElseThrow();

        CompletableFuture<Void> drained = CompletableFuture.runAsync(supervisor::drain);
        Thread.sleep(200);
        assertThat(drained).isNotDone();
        assertThat(supervisor.draining()).isTrue();
        lease.close();
        drained.get(5, TimeUnit.SECONDS);

        assertThat(lease.abandoned()).isFalse();
        assertThat(supervisor.begin("job-2")).isEmpty();
    }

    @Test
    void aJobStillRunningAfterTheGracePeriodIsAbandoned() throws Exception {
        JobSupervisor supervisor = new JobSupervisor(Duration.ofMillis(200), Duration.ofMinutes(10),
                Clock.systemUTC());
        JobSupervisor.Lease lease = supervisor.begin("job-1").orElseThrow();
        CompletableFuture<JobAttempt.AbortReason> job = CompletableFuture.supplyAsync(() -> {
            // a job checking its signal between steps, as the handler does
            while (lease.abortReason() == JobAttempt.AbortReason.NONE) {
                sleep(10);
            }
            JobAttempt.AbortReason reason = lease.abortReason();
            lease.close();
            return reason;
        });

        long start = System.nanoTime();
        supervisor.drain();

        assertThat(job.get(5, TimeUnit.SECONDS)).isEqualTo(JobAttempt.AbortReason.SHUTDOWN);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(190),
                Duration.ofSeconds(5));
        assertThat(lease.abandoned()).isTrue();
    }

    @Test
    void aJobPastTheMaximumDurationIsToldToStopAndLivenessFailsAtTwiceIt() {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-26T12:00:00Z"));
        JobSupervisor supervisor = new JobSupervisor(Duration.ofSeconds(60), Duration.ofMinutes(10), clock);
        JobSupervisor.Lease lease = supervisor.begin("job-1").orElseThrow();

        clock.now = clock.now.plus(Duration.ofMinutes(9));
        assertThat(lease.abortReason()).isEqualTo(JobAttempt.AbortReason.NONE);
        assertThat(supervisor.live()).isTrue();
        clock.now = clock.now.plus(Duration.ofMinutes(2));
        assertThat(lease.abortReason()).isEqualTo(JobAttempt.AbortReason.TIMEOUT);
        assertThat(supervisor.live()).isTrue();
        clock.now = clock.now.plus(Duration.ofMinutes(10));
        assertThat(supervisor.live()).isFalse();
        assertThat(supervisor.running()).isEqualTo(Optional.of(Duration.ofMinutes(21)));
        lease.close();
        assertThat(supervisor.live()).isTrue();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class MutableClock extends Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
