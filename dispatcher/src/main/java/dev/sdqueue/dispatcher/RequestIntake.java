package dev.sdqueue.dispatcher;

import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.RequestDefaults;
import dev.sdqueue.schema.RequestValidator;
import dev.sdqueue.schema.Violation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * From HTTP body to the record that is published: parse, validate (naming every bad field at once), then apply
 * the dispatcher's defaults so the published request and the status view show the values the job really uses.
 * No I/O, so it is unit-tested without Kafka or HTTP.
 */
public final class RequestIntake {
    private final RequestBodyParser parser = new RequestBodyParser();
    private final RequestValidator validator;
    private final RequestDefaults defaults;

    public RequestIntake(RequestValidator validator, RequestDefaults defaults) {
        this.validator = validator;
        this.defaults = defaults;
    }

    public sealed interface Outcome permits Accepted, Rejected {
    }

    /** Valid: {@code request} has the job id, the time and every default applied (seed may stay absent). */
    public record Accepted(GenerationRequested request) implements Outcome {
    }

    /** Invalid: one entry per problem, each naming the JSON property (or {@code body} / {@code Content-Type}). */
    public record Rejected(List<Violation> violations) implements Outcome {
        public Rejected {
            violations = List.copyOf(violations);
        }
    }

    public Outcome evaluate(String contentType, byte[] body, String jobId, Instant requestedAt) {
        RequestBodyParser.Result parsed = parser.parse(contentType, body);
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
        if (!violations.isEmpty()) {
            return new Rejected(violations);
        }
        return new Accepted(defaults.applyTo(asGiven));
    }
}
