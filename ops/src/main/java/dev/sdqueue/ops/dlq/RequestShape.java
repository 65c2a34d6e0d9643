package dev.sdqueue.ops.dlq;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Headers;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Whether a dead-lettered record could be a generation request at all. Replaying a record that cannot (poison:
 * no value, not UTF-8, not JSON, the wrong shape, another event type or schema version, far too big; the rules of
 * the worker's decoder, plus "has a prompt", which no request can lack) only sends
 * it back to the dead-letter topic, so {@code dlq replay} skips those unless forced. A record that has the shape
 * but was refused for its values (e.g. a size the model cannot serve) is not poison: whether it may pass now is
 * the operator's call (filter by {@code --reason}).
 */
public final class RequestShape {
    /** The dispatcher never publishes more (its HTTP body limit is 64 KiB); anything larger came from elsewhere. */
    public static final int MAX_REQUEST_BYTES = 64 * 1024;

    private static final ObjectMapper STRICT = EventJson.configure(new ObjectMapper())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private RequestShape() {
    }

    /** Empty when the record can be a valid request; otherwise why not. */
    public static Optional<String> poisonReason(DlqRecord record) {
        byte[] value = record.value();
        if (value == null) {
            return Optional.of("no value (tombstone)");
        }
        if (value.length == 0) {
            return Optional.of("empty value");
        }
        if (value.length > MAX_REQUEST_BYTES) {
            return Optional.of("value is " + value.length + " bytes; no request is larger than "
                    + MAX_REQUEST_BYTES);
        }
        Optional<String> ceType = record.header(Headers.CE_TYPE);
        if (ceType.isPresent() && !ceType.get().equals(Headers.TYPE_REQUESTED)) {
            return Optional.of("ce_type is " + ceType.get() + ", not " + Headers.TYPE_REQUESTED
                    + " (another event type or an unknown schema version)");
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value));
        } catch (CharacterCodingException e) {
            return Optional.of("value is not UTF-8 text");
        }
        JsonNode tree;
        try {
            tree = STRICT.readTree(value);
        } catch (JsonProcessingException e) {
            return Optional.of("value is not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            return Optional.of("value is not JSON: " + e.getMessage());
        }
        if (tree == null || !tree.isObject()) {
            return Optional.of("value is JSON but not an object");
        }
        // The same rules as the worker's decoder: v1 only, and a jobId must be a string (Jackson would coerce 5).
        JsonNode version = tree.get("schemaVersion");
        if (version != null && !version.isNull() && !(version.canConvertToInt() && version.asInt() == 1)) {
            return Optional.of("schemaVersion " + version + " is not 1 (unknown schema version)");
        }
        JsonNode jobId = tree.get("jobId");
        if (jobId != null && !jobId.isNull() && !jobId.isTextual()) {
            return Optional.of("jobId is not a string");
        }
        GenerationRequested request;
        try {
            request = STRICT.treeToValue(tree, GenerationRequested.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            return Optional.of("value does not fit GenerationRequested: " + why);
        }
        if (request.prompt() == null || request.prompt().isBlank()) {
            return Optional.of("value has no prompt");
        }
        if (request.jobId() == null && record.keyText().isEmpty()) {
            return Optional.of("no job id (neither a record key nor a jobId)");
        }
        return Optional.empty();
    }
}
