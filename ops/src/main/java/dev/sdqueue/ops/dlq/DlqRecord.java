package dev.sdqueue.ops.dlq;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One record of the dead-letter topic, as stored: raw key and value bytes (a poison record may be anything), its
 * headers in order, and where it sits. The accessors read the reason headers the worker writes
 * ({@value Headers#DLQ_REASON}, {@value Headers#DLQ_MESSAGE}) and fall back to SmallRye's own
 * ({@value #SMALLRYE_REASON}) for records dead-lettered by the connector alone.
 */
public record DlqRecord(String topic, int partition, long offset, Instant timestamp, byte[] key, byte[] value,
                        List<Header> headers) {
    /** SmallRye's dead-letter header: the failure's message. */
    public static final String SMALLRYE_REASON = "dead-letter-reason";
    static final String SMALLRYE_CAUSE = "dead-letter-cause";

    public DlqRecord {
        headers = List.copyOf(headers);
    }

    /** A header as stored; the value may be null or not text. */
    public record Header(String name, byte[] value) {
        public String text() {
            return value == null ? null : new String(value, StandardCharsets.UTF_8);
        }
    }

    /** {@code partition:offset}, the id {@code dlq show} accepts and {@code sdq-replayed-from} names. */
    public String location() {
        return partition + ":" + offset;
    }

    /** The last value of a header, as UTF-8 text. */
    public Optional<String> header(String name) {
        for (int i = headers.size() - 1; i >= 0; i--) {
            if (headers.get(i).name().equals(name)) {
                return Optional.ofNullable(headers.get(i).text());
            }
        }
        return Optional.empty();
    }

    public Optional<String> keyText() {
        return key == null || key.length == 0 ? Optional.empty()
                : Optional.of(new String(key, StandardCharsets.UTF_8));
    }

    /** The record key, else the value's {@code jobId} when the value is JSON with one. */
    public Optional<String> jobId() {
        Optional<String> fromKey = keyText();
        if (fromKey.isPresent()) {
            return fromKey;
        }
        if (value == null || value.length > RequestShape.MAX_REQUEST_BYTES) {
            return Optional.empty();
        }
        try {
            JsonNode jobId = EventJson.mapper().readTree(value).path("jobId");
            return jobId.isTextual() ? Optional.of(jobId.asText()) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The worker's reason code ({@value Headers#DLQ_REASON}); empty for records without it. */
    public Optional<String> reason() {
        return header(Headers.DLQ_REASON).filter(r -> !r.isBlank());
    }

    /** For people: the worker's message, else SmallRye's reason, else its cause. */
    public Optional<String> message() {
        return header(Headers.DLQ_MESSAGE).filter(m -> !m.isBlank())
                .or(() -> header(SMALLRYE_REASON).filter(m -> !m.isBlank()))
                .or(() -> header(SMALLRYE_CAUSE).filter(m -> !m.isBlank()));
    }

    public int valueSize() {
        return value == null ? 0 : value.length;
    }
}
