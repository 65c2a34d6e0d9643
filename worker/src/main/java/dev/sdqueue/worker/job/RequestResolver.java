package dev.sdqueue.worker.job;

import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.RequestDefaults;
import dev.sdqueue.schema.RequestValidator;
import dev.sdqueue.schema.Violation;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Turns a received request into the model's input: this worker's defaults for absent fields, the contract's limits,
 * the model and scheduler this worker serves, and a seed for a request without one.
 */
final class RequestResolver {
    /** Seeds are reported as JSON integers; keeping them within 2^53 keeps them exact in JavaScript clients too. */
    private static final long MAX_RANDOM_SEED = (1L << 53) - 1;

    private final RequestValidator validator;
    private final RequestDefaults defaults;
    private final List<String> schedulers;

    RequestResolver(RequestValidator validator, RequestDefaults defaults, List<String> schedulers) {
        this.validator = validator;
        this.defaults = defaults;
        this.schedulers = List.copyOf(schedulers);
    }

    /** A request the model can run, or why not. */
    sealed interface Resolution {
        record Runnable(ImageGenerator.Input input) implements Resolution {
        }

        record Invalid(String message) implements Resolution {
        }
    }

    Resolution resolve(GenerationRequested received) {
        GenerationRequested request = defaults.applyTo(received);
        List<Violation> violations = new ArrayList<>(validator.validate(request));
        if (!defaults.model().equals(request.model())) {
            violations.add(new Violation("model", "this worker serves '" + defaults.model() + "', not '"
                    + request.model() + "'"));
        }
        if (request.scheduler() != null && !schedulers.contains(request.scheduler())) {
            violations.add(new Violation("scheduler", "this model's worker supports " + schedulers + ", not '"
                    + request.scheduler() + "'"));
        }
        if (!violations.isEmpty()) {
            return new Resolution.Invalid(violations.stream().map(v -> v.field() + " " + v.message())
                    .collect(Collectors.joining("; ")));
        }
        long seed = request.seed() != null ? request.seed() : seedFor(request.jobId());
        return new Resolution.Runnable(new ImageGenerator.Input(request.prompt(),
                request.negativePrompt() == null ? "" : request.negativePrompt(), request.width(), request.height(),
                request.steps(), request.guidanceScale(), seed, request.scheduler(), request.numImages()));
    }

    /** The seed of a request without one: derived from the job id, so a redelivered job redoes identical images. */
    static long seedFor(String jobId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(jobId.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong() & MAX_RANDOM_SEED;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
