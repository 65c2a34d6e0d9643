package dev.sdqueue.dispatcher;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.sdqueue.schema.Violation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the HTTP body of a generation request field by field, so that every malformed field is named, not just
 * the first one Jackson trips over. Knows nothing of limits: the {@link dev.sdqueue.schema.RequestValidator}
 * checks values afterwards. A field with the wrong JSON type is reported here and left null in the result.
 */
public final class RequestBodyParser {
    /** The pseudo-field named when the problem is the body as a whole. */
    public static final String BODY = "body";
    /** The pseudo-field named when the media type is wrong (the issue asks for the header's name). */
    public static final String CONTENT_TYPE = "Content-Type";
    /** The one property of a batch body: the array of requests. */
    public static final String REQUESTS = "requests";

    /** NaN/Infinity literals parse (and then fail validation under their field's name); duplicate keys fail. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .addModule(new JavaTimeModule())
            .build();

    /** Strings Jackson itself would turn into a double; "NaN" as a string must reach the validator too. */
    private static final Set<String> NON_FINITE_NAMES = Set.of("NaN", "Infinity", "+Infinity", "-Infinity",
            "INF", "+INF", "-INF");

    private static final Map<String, Class<?>> FIELDS = fieldsOf(GenerationRequestBody.class);

    /** The body with every well-typed field set, plus the violations found; {@code structural} means the body
     * could not be read as a request at all (media type, syntax, not an object), so value checks make no sense. */
    public record Result(GenerationRequestBody body, List<Violation> violations, boolean structural) {
        public Result {
            violations = List.copyOf(violations);
        }

        static Result structural(String field, String message) {
            return new Result(null, List.of(new Violation(field, message)), true);
        }
    }

    public Result parse(String contentType, byte[] body) {
        Optional<String> mediaTypeProblem = checkMediaType(contentType);
        if (mediaTypeProblem.isPresent()) {
            return Result.structural(CONTENT_TYPE, mediaTypeProblem.get());
        }
        if (body == null || new String(body, StandardCharsets.UTF_8).isBlank()) {
            return Result.structural(BODY, "is required: a JSON object with at least \"prompt\"");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return Result.structural(fieldOf(e), "is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            return Result.structural(BODY, "could not be read: " + e.getMessage());
        }
        return item(root);
    }

    /**
     * A batch body {@code {"requests":[...]}}: every item read as {@link #parse} reads a single body (item
     * violations name the item's own fields; the caller prefixes them). {@code violations} are the envelope's:
     * media type, syntax (named by JSON path, e.g. {@code requests[2].width}), {@code requests} missing, not an
     * array, empty or longer than {@code maxItems} (then no item is read), unknown top-level properties.
     */
    public BatchResult parseBatch(String contentType, byte[] body, int maxItems) {
        Optional<String> mediaTypeProblem = checkMediaType(contentType);
        if (mediaTypeProblem.isPresent()) {
            return BatchResult.rejected(CONTENT_TYPE, mediaTypeProblem.get());
        }
        if (body == null || new String(body, StandardCharsets.UTF_8).isBlank()) {
            return BatchResult.rejected(BODY, "is required: {\"requests\":[...]} with 1 to " + maxItems
                    + " generation requests");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return BatchResult.rejected(pathOf(e), "is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            return BatchResult.rejected(BODY, "could not be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            return BatchResult.rejected(BODY, "must be a JSON object {\"requests\":[...]}, was " + describe(root));
        }
        List<Violation> violations = new ArrayList<>();
        root.properties().stream().map(Map.Entry::getKey).filter(name -> !name.equals(REQUESTS))
                .forEach(name -> violations.add(new Violation(name, "unknown property; a batch has only \""
                        + REQUESTS + "\"")));
        JsonNode requests = root.get(REQUESTS);
        if (requests == null || requests.isNull()) {
            violations.add(new Violation(REQUESTS, "is required: an array of 1 to " + maxItems
                    + " generation requests"));
        } else if (!requests.isArray()) {
            violations.add(new Violation(REQUESTS, "must be an array of 1 to " + maxItems
                    + " generation requests, was " + describe(requests)));
        } else if (requests.isEmpty() || requests.size() > maxItems) {
            violations.add(new Violation(REQUESTS, "must hold 1 to " + maxItems
                    + " requests (sdq.dispatcher.max-batch), held " + requests.size()));
        }
        if (violations.stream().anyMatch(v -> v.field().equals(REQUESTS))) {
            return new BatchResult(List.of(), violations);
        }
        List<Result> items = new ArrayList<>(requests.size());
        requests.forEach(node -> items.add(item(node)));
        return new BatchResult(items, violations);
    }

    /** A batch body as read: its items (each like a single body) and the problems of the envelope itself. */
    public record BatchResult(List<Result> items, List<Violation> violations) {
        public BatchResult {
            items = List.copyOf(items);
            violations = List.copyOf(violations);
        }

        static BatchResult rejected(String field, String message) {
            return new BatchResult(List.of(), List.of(new Violation(field, message)));
        }
    }

    private static Result item(JsonNode node) {
        if (node == null || !node.isObject()) {
            return Result.structural(BODY, "must be a JSON object, was " + describe(node));
        }
        return readFields((ObjectNode) node);
    }

    /** Names of the properties a request may have, in declaration order. */
    public static Set<String> knownFields() {
        return FIELDS.keySet();
    }

    private static Result readFields(ObjectNode root) {
        List<Violation> violations = new ArrayList<>();
        ObjectNode accepted = JSON.createObjectNode();
        for (Map.Entry<String, JsonNode> property : root.properties()) {
            String name = property.getKey();
            Class<?> type = FIELDS.get(name);
            if (type == null) {
                violations.add(new Violation(name, unknownPropertyMessage(name)));
                continue;
            }
            JsonNode value = property.getValue();
            if (value.isNull()) {
                continue; // null means absent: the configured default applies
            }
            Optional<String> typeProblem = typeProblem(type, value);
            if (typeProblem.isPresent()) {
                violations.add(new Violation(name, typeProblem.get()));
            } else if (type == Double.class && value.isTextual()) {
                accepted.put(name, Double.parseDouble(value.asText().replace("INF", "Infinity")));
            } else if (type == Instant.class) {
                accepted.put(name, parseInstant(value.asText()).toString()); // normalized to UTC for binding
            } else {
                accepted.set(name, value);
            }
        }
        try {
            return new Result(JSON.treeToValue(accepted, GenerationRequestBody.class), violations, false);
        } catch (JsonProcessingException e) {
            // Every value was type-checked above; reaching this is a bug in the checks, not a client error.
            throw new IllegalStateException("type-checked request did not bind: " + e.getOriginalMessage(), e);
        }
    }

    private static Optional<String> typeProblem(Class<?> type, JsonNode value) {
        if (type == String.class) {
            return value.isTextual() ? Optional.empty() : Optional.of("must be a string, was " + describe(value));
        }
        if (type == Integer.class || type == Long.class) {
            if (!value.isIntegralNumber()) {
                return Optional.of("must be an integer, was " + describe(value));
            }
            boolean fits = type == Integer.class ? value.canConvertToInt() : value.canConvertToLong();
            return fits ? Optional.empty() : Optional.of("is out of range, was " + describe(value));
        }
        if (type == Double.class) {
            return value.isNumber() || (value.isTextual() && NON_FINITE_NAMES.contains(value.asText()))
                    ? Optional.empty() : Optional.of("must be a number, was " + describe(value));
        }
        if (type == Instant.class) {
            if (!value.isTextual()) {
                return Optional.of("must be an ISO-8601 instant string like \"2026-01-01T12:00:00Z\", was "
                        + describe(value));
            }
            try {
                parseInstant(value.asText());
                return Optional.empty();
            } catch (DateTimeParseException e) {
                return Optional.of("must be an ISO-8601 instant with an offset, like \"2026-01-01T12:00:00Z\", was "
                        + describe(value));
            }
        }
        throw new IllegalStateException("no JSON type check for request fields of type " + type);
    }

    /** An instant with an explicit offset ({@code Z} or {@code +01:00}): a local time would be ambiguous. */
    private static Instant parseInstant(String text) {
        return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    }

    /** A typo'd name (negative_prompt, Width) gets a hint; anything else (jobId too) is just unknown. */
    private static String unknownPropertyMessage(String name) {
        String normalized = normalize(name);
        for (String known : FIELDS.keySet()) {
            if (normalize(known).equals(normalized)) {
                return "unknown property; did you mean \"" + known + "\"?";
            }
        }
        return "unknown property; known properties are " + FIELDS.keySet();
    }

    private static String normalize(String name) {
        return name.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
    }

    /** Empty when fine; otherwise what is wrong with the Content-Type header. */
    static Optional<String> checkMediaType(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return Optional.of("is required and must be application/json");
        }
        String[] parts = contentType.split(";");
        String mediaType = parts[0].trim().toLowerCase(Locale.ROOT);
        boolean json = mediaType.equals("application/json")
                || (mediaType.startsWith("application/") && mediaType.endsWith("+json"));
        if (!json) {
            return Optional.of("must be application/json, was " + contentType.trim());
        }
        for (int i = 1; i < parts.length; i++) {
            String[] parameter = parts[i].split("=", 2);
            if (parameter.length == 2 && parameter[0].trim().equalsIgnoreCase("charset")) {
                String charset = parameter[1].trim().replace("\"", "");
                if (!charset.equalsIgnoreCase("utf-8") && !charset.equalsIgnoreCase("utf8")) {
                    return Optional.of("charset must be UTF-8 (RFC 8259), was " + charset);
                }
            }
        }
        return Optional.empty();
    }

    /** Where in a batch body the syntax broke, as {@code requests[2].width}; {@code body} if Jackson cannot say. */
    private static String pathOf(JsonProcessingException e) {
        if (!(e.getProcessor() instanceof JsonParser parser) || parser.getParsingContext() == null) {
            return BODY;
        }
        Deque<String> parts = new ArrayDeque<>();
        for (JsonStreamContext c = parser.getParsingContext(); c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                parts.addFirst("[" + Math.max(0, c.getCurrentIndex()) + "]");
            } else if (c.getCurrentName() != null && !c.getCurrentName().isEmpty()) {
                parts.addFirst("." + c.getCurrentName());
            }
        }
        String path = String.join("", parts);
        path = path.startsWith(".") ? path.substring(1) : path;
        return path.isEmpty() ? BODY : path;
    }

    /** The property Jackson was reading when the syntax broke, if it knows one. */
    private static String fieldOf(JsonProcessingException e) {
        if (e.getProcessor() instanceof JsonParser parser && parser.getParsingContext() != null) {
            String name = parser.getParsingContext().getCurrentName();
            if (name != null && !name.isEmpty()) {
                return name;
            }
        }
        return BODY;
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "empty";
        }
        String text = node.isContainerNode() ? node.getNodeType().name().toLowerCase(Locale.ROOT) : node.toString();
        return text.length() > 40 ? text.substring(0, 40) + "..." : text;
    }

    private static Map<String, Class<?>> fieldsOf(Class<? extends Record> type) {
        Map<String, Class<?>> fields = new LinkedHashMap<>();
        Arrays.stream(type.getRecordComponents()).forEach(c -> fields.put(c.getName(), c.getType()));
        fields.values().forEach(t -> {
            if (!List.of(String.class, Integer.class, Long.class, Double.class, Instant.class).contains(t)) {
                throw new IllegalStateException("request field type not supported by the parser: " + t);
            }
        });
        return Collections.unmodifiableMap(fields);
    }
}
