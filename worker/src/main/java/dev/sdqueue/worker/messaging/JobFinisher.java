package dev.sdqueue.worker.messaging;

import dev.sdqueue.worker.service.StageRecorder;
import io.opentelemetry.context.Context;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * Threads that finish jobs (PNG, upload, {@code completed}, acknowledgement) while the model runs the next one, at
 * most {@code capacity} at a time: when that many are still finishing, {@link #submit} waits (storage slower than
 * the model), which is recorded as the {@code backpressure} stage.
 */
final class JobFinisher implements AutoCloseable {
    private final ExecutorService threads;
    private final Semaphore slots;
    private final StageRecorder stages;

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
    void submit(Runnable finish) {
        long waitStart = System.nanoTime();
        slots.acquireUninterruptibly();
        stages.record("backpressure", System.nanoTime() - waitStart);
        threads.execute(() -> {
            try {
                finish.run();
            } finally {
                slots.release();
            }
        });
    }

    /** Stops taking work; jobs still finishing hold their leases, which the supervisor's drain waits for. */
    @Override
    public void close() {
        threads.shutdown();
    }
}
