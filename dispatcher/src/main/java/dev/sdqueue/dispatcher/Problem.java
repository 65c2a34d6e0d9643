package dev.sdqueue.dispatcher;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.sdqueue.dispatcher.idempotency.IdempotencyKey;
import dev.sdqueue.schema.Violation;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * An RFC 9457 problem detail ({@code application/problem+json}); {@code errors} names each invalid field. The
 * {@code type} URIs are stable identifiers (not links): clients may switch on them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Problem", description = "RFC 9457 problem details")
public record Problem(String type, String title, int status, String detail, String instance,
                      List<Violation> errors) {
    public static final String MEDIA_TYPE = "application/problem+json";
    public static final String INVALID_REQUEST = "urn:sdqueue:problem:invalid-request";
    public static final String QUEUE_UNAVAILABLE = "urn:sdqueue:problem:queue-unavailable";
    public static final String NOT_FOUND = "urn:sdqueue:problem:generation-not-found";
    public static final String STATUS_LOADING = "urn:sdqueue:problem:status-view-loading";
    public static final String IDEMPOTENCY_KEY_MISMATCH = "urn:sdqueue:problem:idempotency-key-mismatch";
    public static final String IDEMPOTENCY_KEY_IN_FLIGHT = "urn:sdqueue:problem:idempotency-key-in-flight";

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    public Problem {
        errors = errors == null ? null : List.copyOf(errors);
    }

    public static Response invalidRequest(List<Violation> violations, String instance) {
        String fields = violations.stream().map(Violation::field).distinct().collect(Collectors.joining(", "));
        return new Problem(INVALID_REQUEST, "Invalid generation request", 400,
                violations.size() + " problem(s) with: " + fields, instance, violations).toResponse(null);
    }

    public static Response queueUnavailable(String detail, String instance, Duration retryAfter) {
        return new Problem(QUEUE_UNAVAILABLE, "Queue unavailable", 503, detail, instance, null)
                .toResponse(retryAfter);
    }

    public static Response notFound(String id, String instance) {
        return new Problem(NOT_FOUND, "Generation not found", 404, "no generation with id " + id, instance, null)
                .toResponse(null);
    }

    /** The job-status store cannot say whether the job exists right now (never answered as a 404). */
    public static Response statusLoading(String id, String instance, Duration retryAfter) {
        return new Problem(STATUS_LOADING, "Status not available right now", 503, "the status of generation " + id
                + " cannot be looked up right now: the job-status store is starting or rebalancing, or the replica"
                + " that holds it does not answer; retry", instance, null).toResponse(retryAfter);
    }

    /** A key reused for a different request within the window (draft-ietf-httpapi-idempotency-key-header: 422). */
    public static Response idempotencyKeyMismatch(String instance, Duration window) {
        String message = "was already used for a different request within the last " + window
                + " (sdq.idempotency.window); use a new key for a new request";
        return new Problem(IDEMPOTENCY_KEY_MISMATCH, "Idempotency-Key reused", 422,
                IdempotencyKey.HEADER + " " + message, instance,
                List.of(new Violation(IdempotencyKey.HEADER, message))).toResponse(null);
    }

    /** The same key is being queued by a concurrent request (the draft's 409); retrying soon answers the job. */
    public static Response idempotencyKeyInFlight(String instance) {
        String message = "is being used by a request that is still being queued; retry to get its job";
        return new Problem(IDEMPOTENCY_KEY_IN_FLIGHT, "Idempotency-Key in use", 409,
                IdempotencyKey.HEADER + " " + message, instance,
                List.of(new Violation(IdempotencyKey.HEADER, message))).toResponse(Duration.ofSeconds(1));
    }

    /** A keyed POST while the job-status store cannot answer: the key cannot be checked yet. */
    public static Response historyLoading(String instance, Duration retryAfter) {
        return new Problem(STATUS_LOADING, "Idempotency-Key cannot be checked yet", 503, "the job-status store, "
                + "which " + IdempotencyKey.HEADER + " is checked against, is starting or rebalancing; nothing was "
                + "queued", instance, null).toResponse(retryAfter);
    }

    /** Serialized here so the body does not depend on which JAX-RS writer handles problem+json. */
    Response toResponse(Duration retryAfter) {
        String body;
        try {
            body = JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a problem", e);
        }
        Response.ResponseBuilder response = Response.status(status).type(MEDIA_TYPE).entity(body);
        if (retryAfter != null) {
            response.header("Retry-After", Math.max(1, retryAfter.toSeconds()));
        }
        return response.build();
    }
}
