package dev.sdqueue.dispatcher;

import dev.sdqueue.dispatcher.idempotency.IdempotencyKey;
import dev.sdqueue.dispatcher.idempotency.IdempotentAcceptance;
import dev.sdqueue.dispatcher.status.AcceptedJobs;
import dev.sdqueue.dispatcher.status.JobStatus;
import dev.sdqueue.dispatcher.status.StatusUnavailableException;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Violation;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/**
 * {@code POST /v1/generations/batch}: many jobs in one request, so one HTTP exchange, one parse and one producer
 * batch carry many records (the per-request CPU, not Kafka, bounded the single endpoint's rate). Each item is
 * validated exactly like a {@code POST /v1/generations} body, all or nothing; every record is published like the
 * single endpoint's (same key, headers, value) and the answer comes after all are acknowledged.
 */
@Path(GenerationBatchResource.PATH)
@Tag(name = "generations")
public class GenerationBatchResource {
    static final String PATH = GenerationResource.PATH + "/batch";
    private static final Logger LOG = Logger.getLogger(GenerationBatchResource.class);
    private static final Clock CLOCK = Clock.systemUTC();

    @Inject
    RequestIntake intake;
    @Inject
    RequestPublisher publisher;
    @Inject
    AcceptedJobs acceptedJobs;
    @Inject
    IdempotentAcceptance idempotency;
    @Inject
    DispatcherMetrics metrics;
    @Inject
    DispatcherConfig.Publish publish;
    @Inject
    DispatcherConfig.Instance instance;

    /** The body, for the OpenAPI document only ({@link RequestBodyParser#parseBatch} reads the bytes). */
    @Schema(name = "GenerationBatchRequest", description = "1 to sdq.dispatcher.max-batch (default 100) generation "
            + "requests, each exactly as the body of POST /v1/generations.")
    public record BatchBody(@Schema(required = true, minItems = 1) List<GenerationRequestBody> requests) {
    }

    /** One job of the answer: the single endpoint's {@code id} and {@code status}, with its {@code Location}. */
    @Schema(name = "GenerationBatchJob")
    public record Job(String id,
                      @Schema(description = "queued for a new job; the job's current status when a repeated "
                              + "Idempotency-Key is answered") String status,
                      @Schema(description = "/v1/generations/{id}: poll it for the job's status") String location) {
        static Job of(String id, String status) {
            return new Job(id, status, GenerationResource.PATH + "/" + id);
        }
    }

    @Schema(name = "GenerationBatchAccepted", description = "The jobs in the order of the requests.")
    public record Accepted(List<Job> jobs) {
    }

    /** One item after the idempotency decision: a record to publish, or a job an earlier attempt queued. */
    private record Slot(GenerationRequested toPublish, JobStatus replayed) {
    }

    /** The items' decisions in order, or the first conflicting decision. */
    private record Decided(List<Slot> slots, IdempotentAcceptance.Decision conflict) {
    }

    @POST
    @Consumes(MediaType.WILDCARD) // checked by RequestBodyParser, to answer 400 naming Content-Type
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @Operation(summary = "Queue many generations at once",
            description = "Each item of requests is validated like the body of POST /v1/generations; any invalid "
                    + "item rejects the whole batch (400, errors[] named requests[i].field) and nothing is "
                    + "published. Otherwise every item is published (one record per job, as the single endpoint "
                    + "does) and the answer comes after the broker acknowledged all of them. A 503 may follow a "
                    + "partial write: retry with the same Idempotency-Key, which derives each item's job id from "
                    + "the key and the item's index, so a retry never makes a second job.")
    @Parameter(name = IdempotencyKey.HEADER, in = ParameterIn.HEADER, required = false,
            description = "Makes retries safe: item i's job id is derived from the key and i; within "
                    + "sdq.idempotency.window each item answers its earlier job (same request) or 422 (another "
                    + "request). Same syntax as on POST /v1/generations.",
            schema = @Schema(type = SchemaType.STRING, maxLength = IdempotencyKey.MAX_LENGTH))
    @APIResponse(responseCode = "202", description = "All queued (or, for a repeated Idempotency-Key, queued before)",
            headers = @Header(name = GenerationResource.REPLAYED_HEADER, description = "true when every job was "
                    + "answered from an earlier request with the same Idempotency-Key (nothing published)",
                    schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = Accepted.class)))
    @APIResponse(responseCode = "400", description = "Invalid batch; errors[] names every bad field as "
            + "requests[i].field, or requests / body / Content-Type / Idempotency-Key; nothing was published",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "An item's Idempotency-Key job is still being queued by "
            + "another request; retry after Retry-After",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "This Idempotency-Key was used for a different request within "
            + "the window (compared item by item)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "Kafka did not acknowledge every record in time: some jobs "
            + "may be queued; retry with the same Idempotency-Key. Or a key cannot be checked yet.",
            headers = @Header(name = "Retry-After", description = "seconds",
                    schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> createBatch(
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @Context HttpHeaders headers,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = BatchBody.class))) byte[] body) {
        Instant now = CLOCK.instant().truncatedTo(ChronoUnit.MILLIS);
        IdempotencyKey.Header key = IdempotencyKey.parse(headers.getRequestHeader(IdempotencyKey.HEADER));
        RequestIntake.BatchOutcome outcome = intake.evaluateBatch(contentType, body, instance.maxBatch(),
                () -> UUID.randomUUID().toString(), now);
        List<Violation> violations = new ArrayList<>();
        if (key instanceof IdempotencyKey.Invalid invalid) {
            violations.add(invalid.violation());
        }
        if (outcome instanceof RequestIntake.Rejected rejected) {
            violations.addAll(rejected.violations());
        }
        if (!violations.isEmpty()) {
            metrics.invalid();
            return Uni.createFrom().item(Problem.invalidRequest(violations, PATH));
        }
        List<GenerationRequested> requests = ((RequestIntake.BatchAccepted) outcome).requests();
        if (key instanceof IdempotencyKey.Valid valid) {
            return createIdempotent(valid.key(), requests, now);
        }
        return publishAndAnswer(requests.stream().map(r -> new Slot(r, null)).toList(), Optional.empty(), () -> { });
    }

    private Uni<Response> createIdempotent(IdempotencyKey key, List<GenerationRequested> requests, Instant now) {
        // Filled on a worker thread, released from whichever thread ends the request.
        List<IdempotentAcceptance.Publish> claims = new CopyOnWriteArrayList<>();
        Runnable releaseAll = () -> claims.forEach(IdempotentAcceptance.Publish::release);
        // The lookups may ask other replicas: off the event loop.
        return OffEventLoop.run(() -> decideAll(key, requests, now, claims), abandoned -> releaseAll.run())
                .onItemOrFailure()
                .transformToUni((decided, failure) -> {
                    if (failure == null && decided.conflict() != null) {
                        releaseAll.run(); // all or nothing: no item is published when one conflicts
                    } // (a failure released them in decideAll already)
                    if (failure instanceof StatusUnavailableException) {
                        metrics.unavailable();
                        return Uni.createFrom().item(Problem.historyLoading(PATH, publish.retryAfter()));
                    }
                    if (failure != null) {
                        return Uni.createFrom().failure(failure);
                    }
                    if (decided.conflict() != null) {
                        metrics.idempotencyConflict();
                        return Uni.createFrom().item(decided.conflict() instanceof IdempotentAcceptance.Mismatch
                                ? Problem.idempotencyKeyMismatch(PATH, idempotency.window())
                                : Problem.idempotencyKeyInFlight(PATH));
                    }
                    return publishAndAnswer(decided.slots(), Optional.of(key.value()), releaseAll);
                });
    }

    /** Every item's decision; stops at the first conflict (Mismatch or InFlight). Claims go to {@code claims}. */
    private Decided decideAll(IdempotencyKey key, List<GenerationRequested> requests, Instant now,
                              List<IdempotentAcceptance.Publish> claims) {
        List<Slot> slots = new ArrayList<>(requests.size());
        try {
            for (int i = 0; i < requests.size(); i++) {
                IdempotentAcceptance.Decision decision = idempotency.decideItem(key, i, requests.get(i), now);
                if (decision instanceof IdempotentAcceptance.Publish toPublish) {
                    claims.add(toPublish);
                    slots.add(new Slot(toPublish.request(), null));
                } else if (decision instanceof IdempotentAcceptance.Replay replay) {
                    slots.add(new Slot(null, replay.status()));
                } else {
                    return new Decided(slots, decision);
                }
            }
        } catch (RuntimeException | Error e) {
            claims.forEach(IdempotentAcceptance.Publish::release); // also when nobody waits for the answer any more
            throw e;
        }
        return new Decided(slots, null);
    }

    /**
     * Sends every record at once (the producer groups them into per-partition batches), records each acknowledged
     * job as accepted by this replica, and answers when all are settled: 202 if all were acknowledged, else 503 (the
     * acknowledged ones stay queued; a keyed retry replays them). Always runs {@code release} at the end.
     */
    private Uni<Response> publishAndAnswer(List<Slot> slots, Optional<String> idempotencyKey, Runnable release) {
        List<GenerationRequested> toPublish = slots.stream().map(Slot::toPublish).filter(r -> r != null).toList();
        if (toPublish.isEmpty()) {
            metrics.deduplicated(slots.size());
            release.run();
            return Uni.createFrom().item(accepted(slots).header(GenerationResource.REPLAYED_HEADER, "true").build());
        }
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        List<Uni<Boolean>> sends = toPublish.stream().map(request -> publisher.publish(request, idempotencyKey)
                .map(acknowledged -> {
                    acceptedJobs.record(request); // read-your-writes, and what a keyed retry will replay
                    return true;
                })
                .onFailure().recoverWithItem(failure -> {
                    firstFailure.compareAndSet(null, failure);
                    return false;
                })).toList();
        return Uni.join().all(sends).andFailFast()
                .map(results -> {
                    int queued = (int) results.stream().filter(ok -> ok).count();
                    metrics.accepted(queued);
                    if (queued < results.size()) {
                        LOG.warnf("batch: %d of %d records not acknowledged (%d queued): %s",
                                results.size() - queued, results.size(), queued,
                                GenerationResource.rootCause(firstFailure.get()));
                        metrics.unavailable();
                        return Problem.queueUnavailable("Kafka did not acknowledge every request in time: "
                                + queued + " of " + results.size() + " were queued; retry the batch with the same "
                                + IdempotencyKey.HEADER + " to queue the rest without duplicating any", PATH,
                                publish.retryAfter());
                    }
                    metrics.deduplicated(slots.size() - toPublish.size());
                    return accepted(slots).build();
                })
                .onTermination().invoke(release);
    }

    private static Response.ResponseBuilder accepted(List<Slot> slots) {
        List<Job> jobs = slots.stream().map(slot -> slot.toPublish() != null
                ? Job.of(slot.toPublish().jobId(), "queued")
                : Job.of(slot.replayed().id(), slot.replayed().status().wireName())).toList();
        return Response.accepted(new Accepted(jobs));
    }
}
