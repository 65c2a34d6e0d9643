package dev.sdqueue.worker.kafka;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Headers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.apache.kafka.common.header.Header;

/**
 * Turns a raw request record into a {@link GenerationRequested} or a {@link Poison} with a reason code, and never
 * throws: the connector hands the worker bytes, so nothing about a record can break the consumer. Checks, in order:
 * size, {@code ce_type}, UTF-8, JSON, shape, {@code schemaVersion}. The job id is the {@code jobId} field, else the
 * record key (as the dispatcher's status view reads it).
 */
public final class RequestDecoder {
    /** A {@code ce_type} of a later request version than this worker reads. */
    private static final Pattern REQUEST_TYPE = Pattern.compile("dev\\.sdqueue\\.generation\\.requested\\.v\\d+");
    /** Keys longer than this are not job ids (a UUID has 36 characters). */
    private static final int MAX_JOB_ID_LENGTH = 200;
    private static final ObjectReader TREE = EventJson.mapper().readerFor(JsonNode.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final int maxBytes;

    public RequestDecoder(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The result of decoding one record. */
    public sealed interface Decoded {
    }

    /** A request with its job id resolved. */
    public record Request(GenerationRequested request) implements Decoded {
    }

    /**
     * Not a request this worker can read. {@code reason} is the code for the DLQ header and the {@code failed}
     * event; {@code jobId} is the job it names (null when neither the value nor the key names one).
     */
    public record Poison(String reason, String message, String jobId) implements Decoded {
    }

    public Decoded decode(byte[] key, byte[] value, org.apache.kafka.common.header.Headers headers) {
        String keyJobId = jobIdOf(key);
        if (value == null || value.length == 0) {
            return new Poison("empty", "the record has no value", keyJobId);
        }
        if (value.length > maxBytes) {
            return new Poison("too_large", "the value has " + value.length + " bytes, more than the "
                    + maxBytes + " a request may have", keyJobId);
        }
        String type = header(headers, Headers.CE_TYPE);
        if (type != null && !Headers.TYPE_REQUESTED.equals(type)) {
            return REQUEST_TYPE.matcher(type).matches()
                    ? new Poison("unknown_version", "ce_type " + type + " is a request version this worker does not"
                            + " read (it reads " + Headers.TYPE_REQUESTED + ")", keyJobId)
                    : new Poison("wrong_type", "ce_type " + type + " is not a generation request", keyJobId);
        }
        String text = strictUtf8(value);
        if (text == null) {
            return new Poison("not_utf8", "the value is not valid UTF-8", keyJobId);
        }
        JsonNode tree;
        try {
            tree = TREE.readValue(text);
        } catch (IOException e) {
            return new Poison("not_json", "the value is not a JSON document: " + firstLine(e.getMessage()), keyJobId);
        }
        if (tree == null || !tree.isObject()) {
            return new Poison("wrong_shape", "the value is JSON but not an object", keyJobId);
        }
        JsonNode idNode = tree.get("jobId");
        String jobId = idNode != null && idNode.isTextual() && !idNode.asText().isBlank() ? idNode.asText() : keyJobId;
        JsonNode version = tree.get("schemaVersion");
        if (version != null && !version.isNull() && !(version.canConvertToInt() && version.asInt() == 1)) {
            return new Poison("unknown_version", "schemaVersion " + version + " is not 1", jobId);
        }
        if (idNode != null && !idNode.isNull() && !idNode.isTextual()) {
            return new Poison("wrong_shape", "jobId is not a string", keyJobId);
        }
        GenerationRequested request;
        try {
            request = EventJson.mapper().treeToValue(tree, GenerationRequested.class);
        } catch (IOException | IllegalArgumentException e) {
            return new Poison("wrong_shape", "the value is not a GenerationRequested: " + firstLine(e.getMessage()),
                    jobId);
        }
        if (jobId == null) {
            return new Poison("wrong_shape", "neither the jobId field nor the record key names the job", null);
        }
        if (request.jobId() == null || request.jobId().isBlank()) {
            request = request.withJobId(jobId, request.requestedAt());
        }
        return new Request(request);
    }

    /** The key as a job id: valid UTF-8, not blank, short, no control characters; else null. */
    static String jobIdOf(byte[] key) {
        if (key == null) {
            return null;
        }
        String text = strictUtf8(key);
        if (text == null || text.isBlank() || text.length() > MAX_JOB_ID_LENGTH
                || text.chars().anyMatch(Character::isISOControl)) {
            return null;
        }
        return text;
    }

    static String header(org.apache.kafka.common.header.Headers headers, String name) {
        Header header = headers == null ? null : headers.lastHeader(name);
        return header == null || header.value() == null ? null : strictUtf8(header.value());
    }

    private static String strictUtf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
