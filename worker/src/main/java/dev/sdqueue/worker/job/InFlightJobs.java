package dev.sdqueue.worker.job;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * Jobs this worker has taken and not yet ended (waiting for the model, on it, or finishing). A second record of a
 * job in flight (a duplicate right behind the first) waits for it, and then finds it ended instead of running it
 * again.
 */
final class InFlightJobs {
    private final Map<String, CompletableFuture<Void>> jobs = new ConcurrentHashMap<>();

    /** Marks the job in flight; the returned handle is passed to {@link #end}. */
    CompletableFuture<Void> begin(String jobId) {
        CompletableFuture<Void> ended = new CompletableFuture<>();
        jobs.put(jobId, ended);
        return ended;
    }

    void end(String jobId, CompletableFuture<Void> ended) {
        jobs.remove(jobId, ended);
        ended.complete(null);
    }

    /**
     * Waits while {@code jobId} is in flight, asking {@code keepWaiting} every second.
     *
     * @return true once it is not in flight, false if {@code keepWaiting} said to stop first
     */
    boolean awaitEnded(String jobId, BooleanSupplier keepWaiting) throws InterruptedException {
        CompletableFuture<Void> ended = jobs.get(jobId);
        while (ended != null && !ended.isDone()) {
            if (!keepWaiting.getAsBoolean()) {
                return false;
            }
            try {
                ended.get(1, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // not ended yet (it never completes exceptionally): ask again and wait on
            }
        }
        return true;
    }
}
