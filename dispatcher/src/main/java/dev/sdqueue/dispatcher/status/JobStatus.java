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
        @Schema(description = "Delivery attempt the latest event belongs to (1 = first).") Integer attempt,
        @Schema(description = "While running: the last finished denoising step.") Progress progress,
        @Schema(description = "When succeeded: the stored images with presigned links.") List<ImageRef> images,
        @Schema(description = "When failed: why.") Failure error,
        @Schema(description = "The parameters of the job, defaults applied by the dispatcher.")
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

    /** A job seen on the requests topic (or accepted by this replica). */
    public static JobStatus queued(GenerationRequested request) {
        return new JobStatus(request.jobId(), JobPhase.QUEUED, null, null, null, null, request,
                request.requestedAt());
    }

    /** A job first seen through an event, e.g. its request record is already deleted by retention. */
    static JobStatus unknownRequest(String id) {
        return new JobStatus(id, JobPhase.QUEUED, null, null, null, null, null, null);
    }

    /** The request record filled in, never the status changed: the request may arrive after the events. */
    public JobStatus withRequest(GenerationRequested r) {
        if (request != null) {
            return this;
        }
        Instant at = updatedAt != null ? updatedAt : r.requestedAt();
        return new JobStatus(id, status, attempt, progress, images, error, r, at);
    }

    /**
     * The status after {@code event}. The first terminal event wins (redelivered or late ones are ignored, whatever
     * their attempt: images are stored under deterministic keys, so a late success is still a real success).
     * Started/progress events of an attempt older than the latest one seen are stale and ignored.
     */
    public JobStatus apply(GenerationEvent event) {
        if (status.terminal()) {
            return this;
        }
        int current = attempt == null ? 0 : attempt;
        if (event instanceof GenerationEvent.Completed c) {
            return new JobStatus(id, JobPhase.SUCCEEDED, c.attempt(), null, c.images(), null, request, c.at());
        }
        if (event instanceof GenerationEvent.Failed f) {
            return new JobStatus(id, JobPhase.FAILED, f.attempt(), null, null,
                    new Failure(f.reason(), f.message(), f.retriable()), request, f.at());
        }
        if (event instanceof GenerationEvent.Started s) {
            if (s.attempt() < current || (s.attempt() == current && status == JobPhase.RUNNING)) {
                return this;
            }
            return new JobStatus(id, JobPhase.RUNNING, s.attempt(), null, null, null, request, s.at());
        }
        if (event instanceof GenerationEvent.Progress p) {
            if (p.attempt() < current
                    || (p.attempt() == current && progress != null && p.step() <= progress.step())) {
                return this;
            }
            return new JobStatus(id, JobPhase.RUNNING, p.attempt(), new Progress(p.step(), p.totalSteps()), null,
                    null, request, p.at());
        }
        return this; // a subtype added to the contract later: unknown to this version, so no change
    }
}
