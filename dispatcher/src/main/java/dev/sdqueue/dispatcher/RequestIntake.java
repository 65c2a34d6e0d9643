package dev.sdqueue.dispatcher;

import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.RequestDefaults;
import dev.sdqueue.schema.RequestValidator;
import dev.sdqueue.schema.Violation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * From HTTP body to the record that is published: parse, validate (naming every bad field at once), then apply
 * the dispatcher's defaults so the published request and the status view show the values the job really uses.
 * {@code model} stays absent when the client omits it (unless {@code sdq.defaults.model} is set): absent means
 * "the model of the worker that takes the job", which only that worker knows; stamping a name here would make a
 * worker serving another model refuse the job as invalid. A given model is validated and kept.
 * The {@code deadline} is checked here, not in the schema's validator: "in the future" depends on the moment of
 * intake, while a worker judges an old deadline differently (it fails the job as expired). No I/O, so it is
 * unit-tested without Kafka or HTTP.
 */
public final class RequestIntake {
    /** {@code sdq.deadline.max-horizon}'s default. */
    public static final Duration DEFAULT_MAX_DEADLINE_HORIZON = Duration.ofHours(24);
    static final String DEADLINE = "deadline";

    private final RequestBodyParser parser = new RequestBodyParser();
    private final RequestValidator validator;
    private final RequestDefaults defaults;
    private final Duration maxDeadlineHorizon;

    public RequestIntake(RequestValidator validator, RequestDefaults defaults) {
        this(validator, defaults, DEFAULT_MAX_DEADLINE_HORIZON);
    }

    public RequestIntake(RequestValidator validator, RequestDefaults defaults, Duration maxDeadlineHorizon) {
        if (maxDeadlineHorizon.isNegative() || maxDeadlineHorizon.isZero()) {
            throw new IllegalArgumentException("sdq.deadline.max-horizon must be positive, was " + maxDeadlineHorizon);
        }
        this.validator = validator;
        this.defaults = defaults;
        this.maxDeadlineHorizon = maxDeadlineHorizon;
    }

    public sealed interface Outcome permits Accepted, Rejected {
    }

    /** Valid: {@code request} has the job id, the time and every default applied (seed may stay absent). */
    public record Accepted(GenerationRequested request) implements Outcome {
    }

    /** Invalid: one entry per problem, each naming the JSON property (or {@code body} / {@code Content-Type}). */
    public record Rejected(List<Violation> violations) implements Outcome, BatchOutcome {
        public Rejected {
            violations = List.copyOf(violations);
        }
    }

    /** The result of a batch body: all items accepted, or every problem of every item (all-or-nothing). */
    public sealed interface BatchOutcome permits BatchAccepted, Rejected {
    }

    /** Every item valid: the records in request order, each with its own job id, the same time, defaults applied. */
    public record BatchAccepted(List<GenerationRequested> requests) implements BatchOutcome {
        public BatchAccepted {
            requests = List.copyOf(requests);
        }
    }

    public Outcome evaluate(String contentType, byte[] body, String jobId, Instant requestedAt) {
        return evaluate(parser.parse(contentType, body), jobId, requestedAt);
    }

    /**
     * A batch body {@code {"requests":[...]}} of 1 to {@code maxItems} requests, each checked exactly like a single
     * body; an item's problems are named {@code requests[i].field} ({@code requests[i]} when the item is not an
     * object), the envelope's {@code requests}. {@code jobIds} supplies one id per item, in order.
     */
    public BatchOutcome evaluateBatch(String contentType, byte[] body, int maxItems, Supplier<String> jobIds,
                                      Instant requestedAt) {
        RequestBodyParser.BatchResult parsed = parser.parseBatch(contentType, body, maxItems);
        List<Violation> violations = new ArrayList<>(parsed.violations());
        List<GenerationRequested> accepted = new ArrayList<>(parsed.items().size());
        for (int i = 0; i < parsed.items().size(); i++) {
            Outcome item = evaluate(parsed.items().get(i), jobIds.get(), requestedAt);
            if (item instanceof Rejected rejected) {
                String prefix = RequestBodyParser.REQUESTS + "[" + i + "]";
                rejected.violations().forEach(v -> violations.add(new Violation(
                        RequestBodyParser.BODY.equals(v.field()) ? prefix : prefix + "." + v.field(), v.message())));
            } else {
                accepted.add(((Accepted) item).request());
            }
        }
        return violations.isEmpty() ? new BatchAccepted(accepted) : new Rejected(violations);
    }

    private Outcome evaluate(RequestBodyParser.Result parsed, String jobId, Instant requestedAt) {
        if (parsed.structural()) {
            return new Rejected(parsed.violations());
        }
        GenerationRequested asGiven = parsed.body().toRequested(jobId, requestedAt);
        List<Violation> violations = new ArrayList<>(parsed.violations());
        // A field with the wrong JSON type is null here; don't report it a second time (e.g. "prompt is required").
        Set<String> alreadyNamed = parsed.violations().stream().map(Violation::field).collect(Collectors.toSet());
        validator.validate(asGiven).stream()
                .filter(v -> !alreadyNamed.contains(v.field()))
                .forEach(violations::add);
        checkDeadline(asGiven.deadline(), requestedAt).ifPresent(violations::add);
        if (!violations.isEmpty()) {
            return new Rejected(violations);
        }
        return new Accepted(defaults.applyTo(asGiven));
    }

    private Optional<Violation> checkDeadline(Instant deadline, Instant now) {
        if (deadline == null) {
            return Optional.empty();
        }
        if (!deadline.isAfter(now)) {
            return Optional.of(new Violation(DEADLINE, "must be in the future, was " + deadline
                    + " (now " + now + ")"));
        }
        if (deadline.isAfter(now.plus(maxDeadlineHorizon))) {
            return Optional.of(new Violation(DEADLINE, "must be at most " + maxDeadlineHorizon
                    + " from now (sdq.deadline.max-horizon), was " + deadline + " (now " + now + ")"));
        }
        return Optional.empty();
    }
}
