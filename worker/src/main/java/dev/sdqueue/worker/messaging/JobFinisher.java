package dev.sdqueue.worker.messaging;

import dev.sdqueue.worker.service.StageRecorder;
import io.opentelemetry.context.Context;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Threads that finish jobs (PNG, upload, {@code completed}, acknowledgement) while the model runs the next one, at
 * most {@code capacity} at a time: when that many are still finishing, {@link #submit} waits (storage slower than
 * the model), which is recorded as the {@code backpressure} stage.
 */
final class JobFinisher implements AutoCloseable {
    private final ExecutorService threads;
    private final Semaphore slots;
    private final StageRecorder stages;
    private final Map<String, CompletableFuture<Void>> byJob = new ConcurrentHashMap<>();

    JobFinisher(int capacity, StageRecorder stages) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.slots = new Semaphore(capacity);
        this.stages = stages;
        // taskWrapping: a job's finishing events continue the trace of its request, as they would on the caller.
        this.threads = Context.taskWrapping(Executors.newFixedThreadPool(capacity, runnable -> {
            Thread thread = new Thread(runnable, "sdq-job-finisher");
            thread.setDaemon(true);
            return thread;
        }));
    }

    /** Runs {@code finish} on a finishing thread, once a slot is free. */
    void submit(String jobId, Runnable finish) {
        long waitStart = System.nanoTime();
        slots.acquireUninterruptibly();
        stages.record("backpressure", System.nanoTime() - waitStart);
        CompletableFuture<Void> finished = new CompletableFuture<>();
        byJob.put(jobId, finished);
        threads.execute(() -> {
            try {
                finish.run();
            } finally {
                byJob.remove(jobId, finished);
                slots.release();
                finished.complete(null);
            }
        });
    }

    /**
     * Waits while job {@code jobId} is still finishing here, checking {@code check} every second (it throws to stop
     * waiting). A duplicate record right behind the first then finds the job ended instead of running it again.
     */
    void awaitJob(String jobId, Runnable check) throws InterruptedException {
        CompletableFuture<Void> finished = byJob.get(jobId);
        while (finished != null && !finished.isDone()) {
            check.run();
            try {
                finished.get(1, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // not finished yet (it never completes exceptionally): check again and wait on
            }
        }
    }

    /** Stops taking work; jobs still finishing hold their leases, which the supervisor's drain waits for. */
    @Override
    public void close() {
        threads.shutdown();
    }
}
