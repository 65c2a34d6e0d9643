package dev.sdqueue.dispatcher.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.ImageRef;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What is known about one job; also the body of {@code GET /v1/generations/{id}}. Immutable: each event yields a
 * new value via {@link #apply}, which returns {@code this} when the event must not change anything.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "GenerationStatus")
public record JobStatus(
        String id,
        @Schema(enumeration = {"queued", "running", "succeeded", "failed"}) JobPhase status,
        @Schema(description = "Delivery attempt the latest event belongs to (1 = first; each retry adds one).")
        Integer attempt,
        @Schema(description = "Worker of the latest attempt (from its started or completed event).") String worker,
        @Schema(description = "While running: the last finished denoising step of the current attempt.")
        Progress progress,
        @Schema(description = "When succeeded: the stored images with presigned links.") List<ImageRef> images,
        @Schema(description = "When failed: why (reason expired: the deadline passed before a worker ran it).")
        Failure error,
        @Schema(description = "The parameters of the job, defaults applied by the dispatcher (incl. deadline).")
        GenerationRequested request,
        @Schema(description = "Time of the latest event that changed the status.") Instant updatedAt) {

    public JobStatus {
        images = images == null ? null : List.copyOf(images);
    }

    @Schema(name = "GenerationProgress")
    public record Progress(int step, int totalSteps) {
    }

    @Schema(name = "GenerationError")
    public record Failure(String reason, String message, boolean retriable) {
    }

    /**
     * Whether no later record can change this status (see {@link #afterEvent}: the first terminal event wins; and
     * {@link #afterRequest}: a request only fills in what is missing): terminal, with the request merged. Any copy of
     * such a status, however far behind that copy is, is exact. (Not named {@code isFinal}: Jackson would write it
     * into the JSON as a property.)
     */
    public boolean settled() {
        return status.terminal() && request != null;
    }

    /** A job seen on the requests topic (or accepted by this replica). */
    public static JobStatus queued(GenerationRequested request) {
        return new JobStatus(request.jobId(), JobPhase.QUEUED, null, null, null, null, null, request,
                request.requestedAt());
    }

    /** A job first seen through an event, e.g. its request record is already deleted by retention. */
    static JobStatus unknownRequest(String id) {
        return new JobStatus(id, JobPhase.QUEUED, null, null, null, null, null, null, null);
    }

    /**
     * What is known after {@code request}, given what was known ({@code null}: nothing). Returns {@code known}
     * itself when nothing changes, so callers can skip the write. Commutative with {@link #afterEvent}.
     */
    public static JobStatus afterRequest(JobStatus known, GenerationRequested request) {
        return known == null ? queued(request) : known.withRequest(request);
    }

    /** What is known after {@code event} (its job id is the job's); {@code known} itself when nothing changes. */
    public static JobStatus afterEvent(JobStatus known, GenerationEvent event) {
        return (known != null ? known : unknownRequest(event.jobId())).apply(event);
    }

    /** The request record filled in, never the status changed: the request may arrive after the events. */
    public JobStatus withRequest(GenerationRequested r) {
        if (request != null) {
            return this;
        }
        Instant at = updatedAt != null ? updatedAt : r.requestedAt();
        return new JobStatus(id, status, attempt, worker, progress, images, error, r, at);
    }

    /**
     * The status after {@code event}. The first terminal event wins (redelivered or late ones are ignored, whatever
     * their attempt: images are stored under deterministic keys, so a late success is still a real success; and a
     * worker publishes {@code failed} only when no retry follows). Started/progress events of an attempt older than
     * the latest one seen are stale and ignored; a newer attempt's {@code started} restarts the progress. A
     * {@code started} of the same attempt from another worker is a redelivery the worker did not count as a new
     * attempt (e.g. after a crash, before the offset was committed): progress restarts with it too, while the
     * same worker's duplicate is ignored. Nothing ever moves a job back to queued.
     */
    public JobStatus apply(GenerationEvent event) {
        if (status.terminal()) {
            return this;
        }
        int current = attempt == null ? 0 : attempt;
        if (event instanceof GenerationEvent.Completed c) {
            String by = c.worker() != null || c.attempt() != current ? c.worker() : worker;
            return new JobStatus(id, JobPhase.SUCCEEDED, c.attempt(), by, null, c.images(), null, request, c.at());
        }
        if (event instanceof GenerationEvent.Failed f) {
            return new JobStatus(id, JobPhase.FAILED, f.attempt(), f.attempt() == current ? worker : null, null, null,
                    new Failure(f.reason(), f.message(), f.retriable()), request, f.at());
        }
        if (event instanceof GenerationEvent.Started s) {
            boolean sameRun = s.attempt() == current && status == JobPhase.RUNNING
                    && (s.worker() == null || s.worker().equals(worker));
            if (s.attempt() < current || sameRun) {
                return this;
            }
            return new JobStatus(id, JobPhase.RUNNING, s.attempt(), s.worker(), null, null, null, request, s.at());
        }
        if (event instanceof GenerationEvent.Progress p) {
            if (p.attempt() < current
                    || (p.attempt() == current && progress != null && p.step() <= progress.step())) {
                return this;
            }
            // A progress event of a newer attempt whose started event is not read yet: its worker is unknown.
            String by = p.attempt() == current ? worker : null;
            return new JobStatus(id, JobPhase.RUNNING, p.attempt(), by, new Progress(p.step(), p.totalSteps()), null,
                    null, request, p.at());
        }
        return this; // a subtype added to the contract later: unknown to this version, so no change
    }
}
