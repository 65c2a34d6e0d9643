package dev.sdqueue.worker.service;

import dev.sdqueue.worker.WorkerConfig;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Knows the job in flight (one per worker) and the shutdown: on SIGTERM it stops new jobs from starting, lets the
 * running one finish within {@code sdq.worker.shutdown-grace}, and otherwise tells it to stop so that its record is
 * left unacknowledged and redelivered. Quarkus fires {@link ShutdownEvent} before it closes the Kafka connector, so
 * a job that finishes in time is acknowledged and committed on close. It also stops a job that runs longer than
 * {@code sdq.worker.max-job-duration} ({@link JobAttempt.AbortReason#TIMEOUT}).
 */
@Singleton
public final class JobSupervisor {
    private static final Logger LOG = Logger.getLogger(JobSupervisor.class);
    /** After the grace period, how long an abandoned job gets to reach its next step and unwind. */
    private static final Duration UNWIND = Duration.ofSeconds(15);

    private final Duration grace;
    private final Duration maxJobDuration;
    private final Clock clock;
    private Lease current;
    private boolean draining;
    private boolean abandonAll;

    @Inject
    public JobSupervisor(WorkerConfig.Worker config) {
        this(config.shutdownGrace(), config.maxJobDuration(), Clock.systemUTC());
    }

    JobSupervisor(Duration grace, Duration maxJobDuration, Clock clock) {
        this.grace = grace;
        this.maxJobDuration = maxJobDuration;
        this.clock = clock;
    }

    /** Registers the job about to run, or empty once the worker drains (the record must then be left alone). */
    public synchronized Optional<Lease> begin(String what) {
        if (draining) {
            return Optional.empty();
        }
        if (current != null) {
            throw new IllegalStateException("a job is already in flight: " + current.what);
        }
        current = new Lease(what, clock.instant());
        return Optional.of(current);
    }

    public synchronized boolean draining() {
        return draining;
    }

    /** How long the job in flight has been running, if one is. */
    public synchronized Optional<Duration> running() {
        return current == null ? Optional.empty() : Optional.of(Duration.between(current.started, clock.instant()));
    }

    /** True while no job runs longer than twice the maximum: a job past that did not stop when told to. */
    public boolean live() {
        return running().map(d -> d.compareTo(maxJobDuration.multipliedBy(2)) <= 0).orElse(true);
    }

    void onShutdown(@Observes ShutdownEvent shutdown) {
        drain();
    }

    /** Stops new jobs and waits for the one in flight: finished within the grace period, or abandoned. */
    public void drain() {
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (this) {
            draining = true;
            if (current != null) {
                LOG.infof("shutting down: waiting up to %d s for %s", grace.toSeconds(), current.what);
            }
            if (awaitIdle(deadline)) {
                return;
            }
            LOG.warnf("shutting down: %s did not finish within %d ms; it is abandoned unacknowledged and will be"
                    + " redelivered", current.what, grace.toMillis());
            abandonAll = true;
            if (!awaitIdle(System.nanoTime() + UNWIND.toNanos())) {
                LOG.warnf("shutting down: %s is still inside a model call", current.what);
            }
        }
    }

    private boolean awaitIdle(long deadlineNanos) {
        while (current != null) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private synchronized void end(Lease lease) {
        if (current == lease) {
            current = null;
            notifyAll();
        }
    }

    private synchronized boolean abandoned() {
        return abandonAll;
    }

    /** The job in flight; closing it marks the worker idle. */
    public final class Lease implements AutoCloseable {
        private final String what;
        private final Instant started;

        private Lease(String what, Instant started) {
            this.what = what;
            this.started = started;
        }

        /** SHUTDOWN once the grace period is over, TIMEOUT past the maximum job duration, else NONE. */
        public JobAttempt.AbortReason abortReason() {
            if (abandoned()) {
                return JobAttempt.AbortReason.SHUTDOWN;
            }
            if (Duration.between(started, clock.instant()).compareTo(maxJobDuration) > 0) {
                return JobAttempt.AbortReason.TIMEOUT;
            }
            return JobAttempt.AbortReason.NONE;
        }

        /** True once the worker gave up waiting for this job: nothing may be acknowledged or published any more. */
        public boolean abandoned() {
            return JobSupervisor.this.abandoned();
        }

        @Override
        public void close() {
            end(this);
        }
    }
}
