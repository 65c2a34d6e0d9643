package dev.sdqueue.worker.job;

import dev.sdqueue.schema.GenerationRequested;
import io.opentelemetry.context.Context;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The one path every job takes through a worker. {@link #submit} (on the consumer's thread) waits out a duplicate of
 * the job still in flight here, starts its ended-jobs lookup and queues it for the model: one thread (one GPU) fed
 * through a queue of one, so while the model runs a job the next one is already decoded and looked up. The model
 * thread runs {@link JobRunner#infer}; the rest of the job ({@link JobRunner.Inference#finish}: PNG, upload,
 * {@code completed}) and the ticket's outcome handler run on one of {@code finishingJobs} finishing threads while
 * the model takes the next job. With {@code finishingJobs} = 0 the rest runs on the model thread and {@link #submit}
 * waits until the previous job has ended entirely: one job at a time, end to end. Either way, the job's lease is
 * closed and it leaves the in-flight set only after its outcome handler returned.
 */
public final class JobExecutor implements JobQueue, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(JobExecutor.class);

    /** A job for the model: its request and attempt, its lease, and what to do with its outcome. */
    public record Ticket(GenerationRequested request, JobAttempt attempt, JobSupervisor.Lease lease,
                         Consumer<JobOutcome> onOutcome) {
    }

    private final JobRunner runner;
    private final JobSupervisor supervisor;
    private final StageRecorder stages;
    private final InFlightJobs inFlight = new InFlightJobs();
    private final BlockingQueue<Runnable> next = new ArrayBlockingQueue<>(1);
    private final Thread model;
    /** Finishing threads and their free slots; null when finishingJobs is 0. */
    private final ExecutorService finishers;
    private final Semaphore finishingSlots;
    /** With finishingJobs = 0: held from submit to the job's end, so one job runs at a time end to end. */
    private final Semaphore wholeJob;
    private volatile boolean closed;

    public JobExecutor(JobRunner runner, JobSupervisor supervisor, int finishingJobs, StageRecorder stages) {
        if (finishingJobs < 0) {
            throw new IllegalArgumentException("finishingJobs must be 0 or more, was " + finishingJobs);
        }
        this.runner = runner;
        this.supervisor = supervisor;
        this.stages = stages;
        this.wholeJob = finishingJobs == 0 ? new Semaphore(1) : null;
        this.finishingSlots = finishingJobs == 0 ? null : new Semaphore(finishingJobs);
        // taskWrapping: a job's finishing events continue the trace of its request, as they would on the caller.
        this.finishers = finishingJobs == 0 ? null : Context.taskWrapping(Executors.newFixedThreadPool(finishingJobs,
                runnable -> daemon(runnable, "sdq-job-finisher")));
        this.model = daemon(this::modelLoop, "sdq-model");
        this.model.start();
        LOG.infof("jobs finishing while the model runs the next: up to %d", finishingJobs);
    }

    private static Thread daemon(Runnable body, String name) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true); // the supervisor's drain, not the JVM, waits for jobs at shutdown
        return thread;
    }

    /**
     * Queues a job for the model; blocks while the model is busy and another job already waits (the consumer then
     * stops taking records). A duplicate of a job in flight here waits for it first, unless the attempt is told to
     * stop meanwhile, which ends it as {@link JobOutcome.Aborted}. The job runs in the caller's trace context.
     */
    @Override
    public void submit(Ticket ticket) throws InterruptedException {
        String jobId = ticket.request().jobId();
        if (!inFlight.awaitEnded(jobId, () -> stopReason(ticket) == JobAttempt.AbortReason.NONE)) {
            handOutcome(ticket, new JobOutcome.Aborted(stopReason(ticket)));
            ticket.lease().close();
            return;
        }
        if (wholeJob != null) {
            wholeJob.acquire();
        }
        CompletableFuture<Void> ended = inFlight.begin(jobId);
        try {
            Admission admission = runner.admit(jobId);
            next.put(Context.current().wrap(() -> onModel(ticket, admission, ended)));
        } catch (InterruptedException | RuntimeException e) { // not queued: the caller still owns the record
            end(ticket, ended);
            throw e;
        }
    }

    /** Shutdown past its grace or a revoked partition (a timeout does not end a wait). */
    private static JobAttempt.AbortReason stopReason(Ticket ticket) {
        JobAttempt.AbortReason reason = ticket.attempt().abort().reason();
        return reason == JobAttempt.AbortReason.TIMEOUT ? JobAttempt.AbortReason.NONE : reason;
    }

    private void modelLoop() {
        long idleSince = 0;
        while (!closed) {
            Runnable job;
            try {
                job = next.take();
            } catch (InterruptedException e) {
                return;
            }
            if (idleSince != 0) {
                stages.record(Stage.DEQUEUE, System.nanoTime() - idleSince);
            }
            job.run();
            idleSince = System.nanoTime();
        }
    }

    /** On the model thread. A job still waiting when the worker starts draining is left to another worker. */
    private void onModel(Ticket ticket, Admission admission, CompletableFuture<Void> ended) {
        JobRunner.Inference inference = inferOrDrain(ticket, admission);
        if (finishers == null || !(inference instanceof JobRunner.Inference.Pending)) {
            finish(ticket, inference, ended);
            return;
        }
        long waitStart = System.nanoTime();
        finishingSlots.acquireUninterruptibly();
        stages.record(Stage.BACKPRESSURE, System.nanoTime() - waitStart);
        finishers.execute(() -> {
            try {
                finish(ticket, inference, ended);
            } finally {
                finishingSlots.release();
            }
        });
    }

    private JobRunner.Inference inferOrDrain(Ticket ticket, Admission admission) {
        try {
            return supervisor.draining()
                    ? new JobRunner.Inference.Ended(new JobOutcome.Aborted(JobAttempt.AbortReason.SHUTDOWN))
                    : runner.infer(ticket.request(), ticket.attempt(), admission);
        } catch (RuntimeException e) { // infer classifies every failure; this is a bug, routed like one
            return new JobRunner.Inference.Ended(OutcomeClassifier.failure(ticket.request().jobId(),
                    ticket.attempt(), e));
        }
    }

    private void finish(Ticket ticket, JobRunner.Inference inference, CompletableFuture<Void> ended) {
        try {
            handOutcome(ticket, inference.finish());
        } finally {
            end(ticket, ended);
        }
    }

    private static void handOutcome(Ticket ticket, JobOutcome outcome) {
        try {
            ticket.onOutcome().accept(outcome);
        } catch (RuntimeException e) { // a handler's own bug: logged here, the lease is still released
            LOG.errorf(e, "the outcome handler of job %s failed on %s", ticket.request().jobId(), outcome);
        }
    }

    private void end(Ticket ticket, CompletableFuture<Void> ended) {
        ticket.lease().close();
        inFlight.end(ticket.request().jobId(), ended);
        if (wholeJob != null) {
            wholeJob.release();
        }
    }

    /** Stops taking work; jobs still finishing hold their leases, which the supervisor's drain waits for. */
    @Override
    public void close() {
        closed = true;
        model.interrupt();
        if (finishers != null) {
            finishers.shutdown();
        }
    }
}
