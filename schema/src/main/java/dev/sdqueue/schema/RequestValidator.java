package dev.sdqueue.schema;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks a request against the deployment's limits and names every bad field, so a client can fix all of them in one
 * round trip. Shared by the dispatcher (reject with 400) and the worker (reject records produced by others).
 */
public final class RequestValidator {
    private final RequestLimits limits;

    public RequestValidator(RequestLimits limits) {
        this.limits = limits;
    }

    public RequestLimits limits() {
        return limits;
    }

    /** All violations of the request as given (absent optional fields are fine); empty when it is valid. */
    public List<Violation> validate(GenerationRequested request) {
        List<Violation> violations = new ArrayList<>();
        checkPrompt("prompt", request.prompt(), true, violations);
        checkPrompt("negativePrompt", request.negativePrompt(), false, violations);
        checkSide("width", request.width(), limits.maxWidth(), violations);
        checkSide("height", request.height(), limits.maxHeight(), violations);
        if (request.width() != null && request.height() != null
                && (long) request.width() * request.height() > limits.maxPixels()) {
            violations.add(new Violation("width", "width*height must be at most " + limits.maxPixels()
                    + " pixels, was " + request.width() + "x" + request.height()));
        }
        checkRange("steps", request.steps(), 1, limits.maxSteps(), violations);
        checkRange("numImages", request.numImages(), 1, limits.maxImages(), violations);
        Double guidance = request.guidanceScale();
        if (guidance != null && (!Double.isFinite(guidance)
                || guidance < limits.minGuidance() || guidance > limits.maxGuidance())) {
            violations.add(new Violation("guidanceScale", "must be a finite number from " + limits.minGuidance()
                    + " to " + limits.maxGuidance() + ", was " + guidance));
        }
        if (request.scheduler() != null && !Schedulers.isKnown(request.scheduler())) {
            violations.add(new Violation("scheduler", "must be one of " + Schedulers.NAMES + ", was '"
                    + request.scheduler() + "'"));
        }
        if (request.seed() != null && request.seed() < 0) {
            violations.add(new Violation("seed", "must be 0 or more, was " + request.seed()));
        }
        if (request.model() != null && request.model().isBlank()) {
            violations.add(new Violation("model", "must not be blank when given"));
        }
        return List.copyOf(violations);
    }

    private void checkPrompt(String field, String value, boolean required, List<Violation> violations) {
        if (value == null || (required && value.isBlank())) {
            if (required) {
                violations.add(new Violation(field, "is required and must not be blank"));
            }
            return;
        }
        int length = value.codePointCount(0, value.length());
        if (length > limits.maxPromptLength()) {
            violations.add(new Violation(field, "must be at most " + limits.maxPromptLength()
                    + " characters, was " + length));
        }
    }

    private void checkSide(String field, Integer value, int max, List<Violation> violations) {
        if (value == null) {
            return;
        }
        if (value < limits.minSize() || value > max) {
            violations.add(new Violation(field, "must be from " + limits.minSize() + " to " + max + ", was " + value));
        } else if (value % 8 != 0) {
            violations.add(new Violation(field, "must be a multiple of 8, was " + value));
        }
    }

    private static void checkRange(String field, Integer value, int min, int max, List<Violation> violations) {
        if (value != null && (value < min || value > max)) {
            violations.add(new Violation(field, "must be from " + min + " to " + max + ", was " + value));
        }
    }
}
