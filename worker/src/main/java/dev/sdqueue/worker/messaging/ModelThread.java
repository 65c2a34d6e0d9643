package dev.sdqueue.worker.messaging;

import dev.sdqueue.worker.service.StageRecorder;
import io.opentelemetry.context.Context;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.jboss.logging.Logger;

/**
 * The one thread that runs the model (one GPU per worker), fed through a queue of one: while it runs a job, the next
 * record is already decoded, its ended-jobs lookup started and waiting here, so the model goes from one job to the
 * next without waiting for Kafka delivery. {@link #submit} blocks while the model is busy and a job waits (the
 * consumer then stops taking records). The time the model waits for its next job is the {@code dequeue} stage.
 */
final class ModelThread implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelThread.class);

    private final BlockingQueue<Runnable> next = new ArrayBlockingQueue<>(1);
    private final StageRecorder stages;
    private final Thread thread;
    private volatile boolean closed;

    ModelThread(StageRecorder stages) {
        this.stages = stages;
        this.thread = new Thread(this::loop, "sdq-model");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Hands a job to the model; waits while one runs and another is already waiting. The job runs in the caller's
     * trace context, so its events continue the trace of its request.
     */
    void submit(Runnable job) throws InterruptedException {
        next.put(Context.current().wrap(job));
    }

    private void loop() {
        long idleSince = 0;
        while (!closed) {
            Runnable job;
            try {
                job = next.take();
            } catch (InterruptedException e) {
                return;
            }
            if (idleSince != 0) {
                stages.record("dequeue", System.nanoTime() - idleSince);
            }
            try {
                job.run();
            } catch (RuntimeException e) {
                LOG.errorf(e, "unexpected failure on the model thread");
            }
            idleSince = System.nanoTime();
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
