package dev.sdqueue.dispatcher;

import dev.sdqueue.dispatcher.status.JobStatus;
import dev.sdqueue.dispatcher.status.JobStatusView;
import dev.sdqueue.dispatcher.status.StatusFeedService;
import dev.sdqueue.schema.GenerationRequested;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

/** {@code /v1/generations}: queue a text-to-image job, then poll its status. */
@Path(GenerationResource.PATH)
@Tag(name = "generations")
public class GenerationResource {
    static final String PATH = "/v1/generations";
    private static final Logger LOG = Logger.getLogger(GenerationResource.class);
    private static final Clock CLOCK = Clock.systemUTC();

    @Inject
    RequestIntake intake;
    @Inject
    RequestPublisher publisher;
    @Inject
    JobStatusView view;
    @Inject
    StatusFeedService feed;
    @Inject
    DispatcherMetrics metrics;
    @Inject
    DispatcherConfig.Publish publish;

    /** The accepted job: poll {@code Location} for its status. */
    @Schema(name = "GenerationAccepted")
    public record Accepted(String id, String status) {
    }

    @POST
    @Consumes(MediaType.WILDCARD) // the media type is checked by RequestBodyParser, to answer 400 naming it
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @Operation(summary = "Queue a generation",
            description = "Validates the request, applies the configured defaults and publishes it to Kafka "
                    + "(sdq.generation.requests, keyed by the new job id). Answers only after the broker "
                    + "acknowledged the record.")
    @APIResponse(responseCode = "202", description = "Queued",
            headers = @Header(name = "Location", description = "/v1/generations/{id}",
                    schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.STRING)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = Accepted.class)))
    @APIResponse(responseCode = "400", description = "Invalid request; errors[] names every bad field "
            + "(or body / Content-Type)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "Kafka did not acknowledge in time; nothing was queued",
            headers = @Header(name = "Retry-After", description = "seconds",
                    schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.INTEGER)),
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Uni<Response> create(
            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
            @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = GenerationRequestBody.class))) byte[] body) {
        String jobId = UUID.randomUUID().toString();
        Instant now = CLOCK.instant().truncatedTo(ChronoUnit.MILLIS);
        RequestIntake.Outcome outcome = intake.evaluate(contentType, body, jobId, now);
        if (outcome instanceof RequestIntake.Rejected rejected) {
            metrics.invalid();
            return Uni.createFrom().item(Problem.invalidRequest(rejected.violations(), PATH));
        }
        GenerationRequested request = ((RequestIntake.Accepted) outcome).request();
        return publisher.publish(request)
                .map(acknowledged -> {
                    view.onRequest(request); // read-your-write on this replica, before the topic echoes it back
                    metrics.accepted();
                    return Response.accepted(new Accepted(jobId, "queued"))
                            .header(HttpHeaders.LOCATION, PATH + "/" + jobId)
                            .build();
                })
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("generation %s not queued: %s", jobId, rootCause(failure));
                    metrics.unavailable();
                    // The cause stays in the log: client-facing text must not leak broker internals.
                    return Problem.queueUnavailable("Kafka did not acknowledge the request in time, so it was not"
                            + " queued; retry later", PATH, publish.retryAfter());
                });
    }

    private static String rootCause(Throwable failure) {
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
            description = "From this replica's view of sdq.generation.requests and sdq.generation.events.")
    @APIResponse(responseCode = "200", description = "Known job",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = JobStatus.class)))
    @APIResponse(responseCode = "404", description = "Unknown id",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = "Unknown id while the replica still reads the job history",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response get(@PathParam("id") String id) {
        Optional<JobStatus> status = view.get(id);
        if (status.isPresent()) {
            return Response.ok(status.get(), MediaType.APPLICATION_JSON).build();
        }
        String instance = PATH + "/" + id;
        if (!feed.caughtUp()) {
            return Problem.statusLoading(id, instance, publish.retryAfter());
        }
        return Problem.notFound(id, instance);
    }
}
