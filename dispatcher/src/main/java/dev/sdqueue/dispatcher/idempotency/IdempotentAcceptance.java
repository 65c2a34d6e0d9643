package dev.sdqueue.dispatcher.idempotency;

import dev.sdqueue.dispatcher.status.JobStatus;
import dev.sdqueue.schema.GenerationRequested;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.IntFunction;

/**
 * Decides what a POST with an {@code Idempotency-Key} does. The job id is derived from the key, so "was this key
 * accepted?" is "does the job-status store (fed by the requests topic, on whichever replica owns the id) know that
 * id?", or this replica's read-your-writes map: the answer is the same on every replica and after restarts, with no
 * store of its own. The store keeps a job {@code sdq.status.ttl} after its latest update, which is why the window
 * must not be longer.
 *
 * <ul>
 *   <li>unknown id: publish under it ({@link Publish}; the caller {@link Publish#release() releases} the claim
 *       after recording the job as accepted, or after a failed publish);
 *   <li>known, first accepted within the window, same request: answer with that job ({@link Replay});
 *   <li>known, within the window, different request: {@link Mismatch} (422);
 *   <li>being published right now by another request on this replica: {@link InFlight} (409), or
 *       {@link Mismatch} if that request differs;
 *   <li>known but older than the window: the key's next generation id is tried (see
 *       {@link IdempotencyKey#jobId(int)}), so a reused key makes a new job.
 * </ul>
 *
 * <p>"Same request" compares the published records (defaults applied, job id and time left out): bodies that
 * differ only by spelling a default out are the same request.
 *
 * <p>Two replicas that both accept the same new key before either reads the other's record both publish, but
 * under the same job id: the requests topic then holds that job twice (same key, same partition), the store keeps
 * the first record, and the workers' one-terminal-state-per-job-id rule makes the second a redelivery.
 */
public final class IdempotentAcceptance {
    /** Bound on key generations tried; unreachable in practice (one per window of reuse). */
    private static final int MAX_GENERATIONS = 100_000;

    private final Statuses statuses;
    private final Duration window;
    private final ConcurrentMap<String, GenerationRequested> inFlight = new ConcurrentHashMap<>();

    /** Where known jobs are looked up ({@code StatusLookup::status} in the application). */
    @FunctionalInterface
    public interface Statuses {
        /**
         * @return the job's status, empty if there is no such job
         * @throws dev.sdqueue.dispatcher.status.StatusUnavailableException if that cannot be known right now
         */
        Optional<JobStatus> find(String jobId);
    }

    public IdempotentAcceptance(Statuses statuses, Duration window) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("sdq.idempotency.window must be positive, was " + window);
        }
        this.statuses = statuses;
        this.window = window;
    }

    public Duration window() {
        return window;
    }

    public sealed interface Decision permits Publish, Replay, Mismatch, InFlight {
    }

    /** Publish {@code request} (its job id derived from the key); then call {@link #release()} exactly once. */
    public final class Publish implements Decision {
        private final GenerationRequested request;

        private Publish(GenerationRequested request) {
            this.request = request;
        }

        public GenerationRequested request() {
            return request;
        }

        /** After the job was recorded as accepted (success) or after the publish failed. */
        public void release() {
            inFlight.remove(request.jobId(), request);
        }
    }

    /** The key's job, accepted earlier within the window with the same request: nothing is published. */
    public record Replay(JobStatus status) implements Decision {
    }

    /** The key was used within the window for a different request. */
    public record Mismatch(String jobId) implements Decision {
    }

    /** The same key and request are being published by a concurrent request on this replica. */
    public record InFlight(String jobId) implements Decision {
    }

    /**
     * May block on a lookup at another replica: call it off the event loop.
     *
     * @param candidate the validated request, defaults applied (its job id is replaced)
     * @param now       the intake time, which is also the candidate's {@code requestedAt}
     * @throws dev.sdqueue.dispatcher.status.StatusUnavailableException if the key's jobs cannot be looked up now
     */
    public Decision decide(IdempotencyKey key, GenerationRequested candidate, Instant now) {
        return decide(key, key::jobId, candidate, now);
    }

    /**
     * The same for item {@code item} of a batch sent with {@code key}: each item is judged on its own under its
     * own derived id ({@link IdempotencyKey#itemJobId(int, int)}), so a retried batch replays the items an earlier
     * attempt published and publishes the rest.
     */
    public Decision decideItem(IdempotencyKey key, int item, GenerationRequested candidate, Instant now) {
        return decide(key, generation -> key.itemJobId(item, generation), candidate, now);
    }

    private Decision decide(IdempotencyKey key, IntFunction<String> idOfGeneration, GenerationRequested candidate,
                            Instant now) {
        int generation = 0;
        while (generation < MAX_GENERATIONS) {
            String id = idOfGeneration.apply(generation);
            Optional<JobStatus> known = statuses.find(id);
            if (known.isPresent()) {
                if (withinWindow(known.get(), now)) {
                    GenerationRequested original = known.get().request();
                    return original == null || sameRequest(original, candidate)
                            ? new Replay(known.get()) : new Mismatch(id);
                }
                generation++; // expired: the key's next job
                continue;
            }
            GenerationRequested request = candidate.withJobId(id, candidate.requestedAt());
            GenerationRequested claimedBy = inFlight.putIfAbsent(id, request);
            if (claimedBy != null) {
                return sameRequest(claimedBy, request) ? new InFlight(id) : new Mismatch(id);
            }
            boolean knownNow;
            try {
                knownNow = statuses.find(id).isPresent();
            } catch (RuntimeException e) {
                inFlight.remove(id, request);
                throw e;
            }
            if (knownNow) {
                // A concurrent request finished publishing between the lookup and the claim: judge again.
                inFlight.remove(id, request);
                continue;
            }
            return new Publish(request);
        }
        throw new IllegalStateException("idempotency key " + key.value() + " reused more than " + MAX_GENERATIONS
                + " times");
    }

    /** Judged from the first acceptance; an unknown time (not written by a dispatcher) counts as recent. */
    private boolean withinWindow(JobStatus known, Instant now) {
        Instant acceptedAt = known.request() != null && known.request().requestedAt() != null
                ? known.request().requestedAt() : known.updatedAt();
        return acceptedAt == null || acceptedAt.plus(window).isAfter(now);
    }

    static boolean sameRequest(GenerationRequested a, GenerationRequested b) {
        return a.withJobId(null, null).equals(b.withJobId(null, null));
    }
}
