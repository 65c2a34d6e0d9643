package dev.sdqueue.worker.job;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Whether a delivered job may run: the ended-jobs lookup ({@link TerminalStates#terminalOf}, exact with respect to
 * the broker, so a round trip or two), started on another thread as soon as the job is dequeued. The model starts
 * meanwhile and the answer is awaited at the first denoising step, before {@code started} is published: a job that
 * had already ended then costs one step of compute and publishes nothing, and every other job no wait at all.
 */
public final class Admission {
    private final CompletableFuture<Optional<String>> lookup;

    private Admission(CompletableFuture<Optional<String>> lookup) {
        this.lookup = lookup;
    }

    static Admission start(TerminalStates terminals, String jobId, Executor executor) {
        return new Admission(CompletableFuture.supplyAsync(() -> {
            try {
                return terminals.terminalOf(jobId);
            } catch (TerminalStates.UnavailableException e) {
                throw new CompletionException(e);
            }
        }, executor));
    }

    /** The answer if the lookup is already done, else empty (also when the job has not ended). */
    Optional<String> endedIfKnown() throws TerminalStates.UnavailableException {
        return lookup.isDone() ? await() : Optional.empty();
    }

    /** The job's terminal event type if it already ended; waits for the lookup. */
    Optional<String> await() throws TerminalStates.UnavailableException {
        try {
            return lookup.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof TerminalStates.UnavailableException unavailable) {
                throw unavailable;
            }
            throw e;
        }
    }
}
