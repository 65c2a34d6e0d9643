package dev.sdqueue.worker.job;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Knows the job in flight (one per worker) and the shutdown: on SIGTERM it stops new jobs from starting, lets the
 * running one finish within {@code sdq.worker.shutdown-grace}, and otherwise tells it to stop so that its record is
 * left unacknowledged and redelivered. It also stops a job that runs longer than {@code sdq.worker.max-job-duration}
 * ({@link JobAttempt.AbortReason#TIMEOUT}).
 *
 * <p>The drain runs in a SIGTERM/SIGINT handler, before the JVM starts its shutdown hooks, and only then hands the
 * signal on: ONNX Runtime's Java binding releases its native environment in a shutdown hook of its own, which runs
 * concurrently with Quarkus's, and a model call still running then crashes the JVM (SIGSEGV, seen here with a job in
 * flight at SIGTERM). After the drain no job runs; Quarkus then fires its shutdown event (a no-op drain) before it
 * closes the Kafka connector, which commits the acknowledged record. The signal handling is the app package's
 * {@code ShutdownSignals}.
 */
public final class JobSupervisor {
    private static final Logger LOG = Logger.getLogger(JobSupervisor.class);
    /** After the grace period, how long an abandoned job gets to reach its next step and unwind. */
    private static final Duration UNWIND = Duration.ofSeconds(15);

    private final Duration grace;
    private final Duration maxJobDuration;
    private final Clock clock;
    /** Jobs in flight: the one on the model and those still finishing (see sdq.worker.finishing-jobs). */
    private final List<Lease> inFlight = new ArrayList<>();
    private boolean draining;
    private boolean abandonAll;

    public JobSupervisor(Duration grace, Duration maxJobDuration, Clock clock) {
        this.grace = grace;
        this.maxJobDuration = maxJobDuration;
        this.clock = clock;
    }

    /** Registers a job about to run, or empty once the worker drains (the record must then be left alone). */
    public synchronized Optional<Lease> begin(String what) {
        if (draining) {
            return Optional.empty();
        }
        Lease lease = new Lease(what, clock.instant());
        inFlight.add(lease);
        return Optional.of(lease);
    }

    public synchronized boolean draining() {
        return draining;
    }

    /** How long the oldest job in flight has been running, if one is. */
    public synchronized Optional<Duration> running() {
        return inFlight.stream().map(lease -> Duration.between(lease.started, clock.instant()))
                .max(Duration::compareTo);
    }

    /** True while no job runs longer than twice the maximum: a job past that did not stop when told to. */
    public boolean live() {
        return running().map(d -> d.compareTo(maxJobDuration.multipliedBy(2)) <= 0).orElse(true);
    }

    /** Stops new jobs and waits for the one in flight: finished within the grace period, or abandoned. */
    public void drain() {
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (this) {
            draining = true;
            if (!inFlight.isEmpty()) {
                LOG.infof("shutting down: waiting up to %d s for %s", grace.toSeconds(), names());
            }
            if (awaitIdle(deadline)) {
                return;
            }
            LOG.warnf("shutting down: %s did not finish within %d ms; abandoned unacknowledged, to be redelivered",
                    names(), grace.toMillis());
            abandonAll = true;
            if (!awaitIdle(System.nanoTime() + UNWIND.toNanos())) {
                LOG.warnf("shutting down: %s still running (inside a model call or an upload)", names());
            }
        }
    }

    private boolean awaitIdle(long deadlineNanos) {
        while (!inFlight.isEmpty()) {
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
        if (inFlight.remove(lease)) {
            notifyAll();
        }
    }

    private String names() {
        return inFlight.stream().map(lease -> lease.what).toList().toString();
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
