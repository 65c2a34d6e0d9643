package dev.sdqueue.dispatcher;

import dev.sdqueue.dispatcher.idempotency.IdempotencyKey;
import dev.sdqueue.dispatcher.idempotency.IdempotentAcceptance;
import dev.sdqueue.dispatcher.status.AcceptedJobs;
import dev.sdqueue.dispatcher.status.JobStatus;
import dev.sdqueue.dispatcher.status.Lookup;
import dev.sdqueue.dispatcher.status.StatusLookup;
import dev.sdqueue.dispatcher.status.StatusUnavailableException;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Violation;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
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

/** {@code /v1/generations}: queue a text-to-image job, then poll its status. */
@Path(GenerationResource.PATH)
@Tag(name = "generations")
public class GenerationResource {
    static final String PATH = "/v1/generations";
    /** On a 202 that answers a repeated {@code Idempotency-Key} instead of queueing anything. */
    static final String REPLAYED_HEADER = "Idempotent-Replayed";
    private static final Logger LOG = Logger.getLogger(GenerationResource.class);
    private static final Clock CLOCK = Clock.systemUTC();

    @Inject
    RequestIntake intake;
    @Inject
    RequestPublisher publisher;
    @Inject
    StatusLookup lookup;
    @Inject
    AcceptedJobs acceptedJobs;
    @Inject
    IdempotentAcceptance idempotency;
    @Inject
    DispatcherMetrics metrics;
    @Inject
    DispatcherConfig.Publish publish;

    /** The accepted job: poll {@code Location} for its status. */
    @Schema(name = "GenerationAccepted")
    public record Accepted(String id,
                           @Schema(description = "queued for a new job; the job's current status when a repeated "
                                   + "Idempotency-Key is answered") String status) {
    }

    @POST
    @Consumes(MediaType.WILDCARD) // the media type is checked by RequestBodyParser, to answer 400 naming it
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @Operation(summary = "Queue a generation",
            description = "Validates the request, applies the configured defaults and publishes it to Kafka "
                    + "(sdq.generation.requests, keyed by the job id). Answers only after the broker "
                    + "acknowledged the record. With an Idempotency-Key, a repeat of the same request within "
                    + "sdq.idempotency.window answers 202 with the same job (header Idempotent-Replayed: true) "
                    + "and queues nothing.")
    @Parameter(name = IdempotencyKey.HEADER, in = ParameterIn.HEADER, required = false,
            description = "Makes retries safe: the same key and body within sdq.idempotency.window (default 24h) "
                    + "yield the same job on every replica. 1 to 255 of A-Z a-z 0-9 . _ ~ : + / = @ -, plain or "
                    + "as a quoted sf-string; use a UUID per operation.",
            schema = @Schema(type = SchemaType.STRING, maxLength = IdempotencyKey.MAX_LENGTH))
    @APIResponse(responseCode = "202", description = "Queued (or, for a repeated Idempotency-Key, the job queued "
            + "before)",
            headers = {
                    @Header(name = "Location", description = "/v1/generations/{id}",
                            schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = REPLAYED_HEADER, description = "true when a repeated Idempotency-Key was "
                            + "answered with its earlier job", schema = @Schema(type = SchemaType.STRING))},
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = Accepted.class)))
    @APIResponse(responseCode = "400", description = "Invalid request; errors[] names every bad field "
            + "(or body / Content-Type / Idempotency-Key)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "409", description = "A request with this Idempotency-Key is still being queued; "
            + "retry after Retry-After",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "422", description = "This Idempotency-Key was used for a different request within "
            + "the window",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "Kafka did not acknowledge in time (nothing was queued), or an "
            + "Idempotency-Key cannot be checked right now (the job-status store is starting or rebalancing)",
            headers = @Header(name = "Retry-After", description = "seconds",
                    schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> create(
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @Context HttpHeaders headers,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = GenerationRequestBody.class))) byte[] body) {
        Instant now = CLOCK.instant().truncatedTo(ChronoUnit.MILLIS);
        IdempotencyKey.Header key = IdempotencyKey.parse(headers.getRequestHeader(IdempotencyKey.HEADER));
        RequestIntake.Outcome outcome = intake.evaluate(contentType, body, UUID.randomUUID().toString(), now);
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
        GenerationRequested request = ((RequestIntake.Accepted) outcome).request();
        if (key instanceof IdempotencyKey.Valid valid) {
            return createIdempotent(valid.key(), request, now);
        }
        return publishAndAnswer(request, Optional.empty(), () -> { });
    }

    private Uni<Response> createIdempotent(IdempotencyKey key, GenerationRequested request, Instant now) {
        // The lookups may ask another replica: off the event loop.
        return OffEventLoop.run(() -> idempotency.decide(key, request, now), GenerationResource::releaseClaim)
                .onItemOrFailure()
                .transformToUni((decision, failure) -> {
                    if (failure instanceof StatusUnavailableException unavailable) {
                        // Keys are checked against the job history; answering without it could queue a repeat.
                        LOG.debugf("Idempotency-Key not checkable now: %s", unavailable.getMessage());
                        metrics.unavailable();
                        return Uni.createFrom().item(Problem.historyLoading(PATH, publish.retryAfter()));
                    }
                    return failure != null ? Uni.createFrom().failure(failure) : answer(key, decision);
                });
    }

    /** A claim whose request was cancelled before publishing must not block the key (409) for ever. */
    private static void releaseClaim(IdempotentAcceptance.Decision decision) {
        if (decision instanceof IdempotentAcceptance.Publish claim) {
            claim.release();
        }
    }

    private Uni<Response> answer(IdempotencyKey key, IdempotentAcceptance.Decision decision) {
        if (decision instanceof IdempotentAcceptance.Publish toPublish) {
            return publishAndAnswer(toPublish.request(), Optional.of(key.value()), toPublish::release);
        }
        if (decision instanceof IdempotentAcceptance.Replay replay) {
            metrics.deduplicated();
            JobStatus job = replay.status();
            return Uni.createFrom().item(accepted(job.id(), job.status().wireName())
                    .header(REPLAYED_HEADER, "true").build());
        }
        metrics.idempotencyConflict();
        if (decision instanceof IdempotentAcceptance.Mismatch) {
            return Uni.createFrom().item(Problem.idempotencyKeyMismatch(PATH, idempotency.window()));
        }
        return Uni.createFrom().item(Problem.idempotencyKeyInFlight(PATH));
    }

    /** Publishes, records the job as accepted by this replica once acknowledged, and always runs {@code release}. */
    private Uni<Response> publishAndAnswer(GenerationRequested request, Optional<String> idempotencyKey,
                                           Runnable release) {
        String jobId = request.jobId();
        return publisher.publish(request, idempotencyKey)
                .map(acknowledged -> {
                    acceptedJobs.record(request); // read-your-writes here, before the store has the record
                    metrics.accepted();
                    return accepted(jobId, "queued").build();
                })
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("generation %s not queued: %s", jobId, rootCause(failure));
                    metrics.unavailable();
                    // The cause stays in the log: client-facing text must not leak broker internals.
                    return Problem.queueUnavailable("Kafka did not acknowledge the request in time, so it was not"
                            + " queued; retry later", PATH, publish.retryAfter());
                })
                // After the job was recorded as accepted (success), after a failure, or when the client went away.
                .onTermination().invoke(release);
    }

    private static Response.ResponseBuilder accepted(String jobId, String status) {
        return Response.accepted(new Accepted(jobId, status))
                .header(HttpHeaders.LOCATION, PATH + "/" + jobId);
    }

    static String rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause == failure ? failure.toString() : failure + " <- " + cause;
    }

    @GET
    @Path("/{id}")
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @Operation(summary = "Status of a generation",
            description = "From the job-status store (a Kafka Streams store fed by sdq.generation.requests and "
                    + "sdq.generation.events), asked on whichever replica hosts the id; any replica answers.")
    @APIResponse(responseCode = "200", description = "Known job",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = JobStatus.class)))
    @APIResponse(responseCode = "404", description = "Unknown id (or deleted sdq.status.ttl after its last update)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "The store cannot say right now (starting, rebalancing, or "
            + "the replica that hosts the id does not answer); retry after Retry-After",
            headers = @Header(name = "Retry-After", description = "seconds",
                    schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> get(@PathParam("id") String id) {
        // On the event loop: a local lookup is a RocksDB read; a forwarded one completes on the HTTP client's thread.
        return Uni.createFrom().completionStage(lookup.findAsync(id)).map(found -> {
            if (found instanceof Lookup.Found local) {
                return Response.ok(local.status(), MediaType.APPLICATION_JSON).build();
            }
            if (found instanceof Lookup.Forwarded forwarded) {
                // The owner's JSON as is: the same mapping on every replica, no second parse.
                return Response.ok(forwarded.json(), MediaType.APPLICATION_JSON).build();
            }
            String instance = PATH + "/" + id;
            if (found instanceof Lookup.Missing) {
                return Problem.notFound(id, instance);
            }
            return Problem.statusLoading(id, instance, publish.retryAfter());
        });
    }
}
