package dev.sdqueue.local;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code ./sdq demo} reads from {@code GET /v1/generations/{id}}: {@code status}, {@code progress.step} /
 * {@code totalSteps}, {@code images[].url}, {@code error.reason} / {@code message}. Unknown fields are ignored.
 */
record JobView(String status, Integer step, Integer totalSteps, List<String> imageUrls, String errorReason,
        String errorMessage) {
    static final ObjectMapper MAPPER = new ObjectMapper();

    JobView {
        imageUrls = List.copyOf(imageUrls);
    }

    /** Throws {@link IllegalArgumentException} if {@code json} is no JSON object. */
    static JobView parse(String json) {
        JsonNode job = object(json);
        JsonNode progress = job.path("progress");
        List<String> urls = new ArrayList<>();
        for (JsonNode image : job.path("images")) {
            if (image.hasNonNull("url")) {
                urls.add(image.get("url").asText());
            }
        }
        JsonNode error = job.path("error");
        return new JobView(job.path("status").asText("?"), integer(progress, "step"), integer(progress, "totalSteps"),
                urls, text(error, "reason"), text(error, "message"));
    }

    /** The job id in the body of a {@code 202 Accepted}. */
    static String id(String json) {
        JsonNode id = object(json).path("id");
        if (!id.isTextual() || id.asText().isBlank()) {
            throw new IllegalArgumentException("no job id in the answer: " + json);
        }
        return id.asText();
    }

    /**
     * A rejection (RFC 9457 problem) for people: {@code title - detail}, then one {@code   field: message} line per
     * entry of {@code errors}; a body that is not JSON as it is.
     */
    static String problem(String body) {
        JsonNode problem;
        try {
            problem = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            problem = null;
        }
        if (problem == null || !problem.isObject()) {
            return body == null || body.isBlank() ? "(empty body)" : body.strip();
        }
        StringBuilder text = new StringBuilder(problem.path("title").asText("") + " - "
                + problem.path("detail").asText(""));
        for (JsonNode error : problem.path("errors")) {
            text.append("\n  ").append(error.path("field").asText(null)).append(": ")
                    .append(error.path("message").asText(null));
        }
        return text.toString();
    }

    boolean terminal() {
        return "succeeded".equals(status) || "failed".equals(status);
    }

    boolean succeeded() {
        return "succeeded".equals(status);
    }

    /** {@code running step 3/20}, or just the status while no progress is known. */
    String shown() {
        return totalSteps == null ? status : status + " step " + (step == null ? 0 : step) + "/" + totalSteps;
    }

    /** {@code reason: message} of a failed job. */
    String failure() {
        return (errorReason == null ? "unknown" : errorReason) + ": " + (errorMessage == null ? "" : errorMessage);
    }

    private static JsonNode object(String json) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("expected a JSON object, got: " + json);
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + json, e);
        }
    }

    private static Integer integer(JsonNode node, String field) {
        return node.path(field).isNumber() ? node.get(field).asInt() : null;
    }

    private static String text(JsonNode node, String field) {
        return node.hasNonNull(field) ? node.get(field).asText() : null;
    }
}
