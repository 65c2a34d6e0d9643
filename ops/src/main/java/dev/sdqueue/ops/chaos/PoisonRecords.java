package dev.sdqueue.ops.chaos;

import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Headers;
import dev.sdqueue.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Records that are not valid requests, produced straight onto {@code sdq.generation.requests} (no dispatcher
 * validates them). The kinds cycle, so P records cover every kind once P >= 5; every second cycle goes without a
 * key, because a producer that forgets the key is as likely as one that sends garbage.
 */
final class PoisonRecords {
    /** Uncompressed size of the oversized record: far above any real request (a few KB) and above 1 MiB. */
    static final int HUGE_BYTES = 3 * 1024 * 1024;

    enum Kind {
        /** Text that is no JSON at all. */
        NOT_JSON,
        /** Bytes that are not UTF-8 (a lone continuation byte, an overlong encoding, 0xFF). */
        NOT_UTF8,
        /** Well-formed JSON of the wrong shape: an array, or an object whose fields have the wrong types. */
        WRONG_SHAPE,
        /** A complete request announcing a schema version this system does not know ({@code ...requested.v2}). */
        UNKNOWN_VERSION,
        /** A JSON request of several megabytes (the producer compresses it, so the broker accepts it). */
        HUGE;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private PoisonRecords() {
    }

    static Kind kindOf(int index) {
        return Kind.values()[index % Kind.values().length];
    }

    /** The {@code index}-th poison record of a run ({@code runId} keeps keys unique across runs). */
    static ProducerRecord<String, byte[]> record(int index, String runId) {
        Kind kind = kindOf(index);
        boolean keyed = (index / Kind.values().length) % 2 == 0;
        String key = keyed ? "chaos-poison-" + runId + "-" + index + "-" + kind.label() : null;
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.REQUESTS, key, value(kind, index, key));
        record.headers().add(new RecordHeader(Headers.CONTENT_TYPE, bytes(Headers.JSON)));
        record.headers().add(new RecordHeader(Headers.CE_SPECVERSION, bytes(Headers.CE_SPECVERSION_VALUE)));
        record.headers().add(new RecordHeader(Headers.CE_ID, bytes("chaos-poison-" + runId + "-" + index)));
        record.headers().add(new RecordHeader(Headers.CE_SOURCE, bytes("/sdq/chaos")));
        record.headers().add(new RecordHeader(Headers.CE_TYPE, bytes(kind == Kind.UNKNOWN_VERSION
                ? "dev.sdqueue.generation.requested.v2" : Headers.TYPE_REQUESTED)));
        return record;
    }

    static byte[] value(Kind kind, int index, String key) {
        String jobId = key != null ? key : "chaos-poison-unkeyed-" + index;
        return switch (kind) {
            case NOT_JSON -> bytes("this is not JSON: prompt=a red cube; width=64 <" + index + ">");
            case NOT_UTF8 -> new byte[] {'{', '"', 'p', '"', ':', '"', (byte) 0x80, (byte) 0xC0, (byte) 0xAF,
                    (byte) 0xFF, (byte) 0xFE, '"', '}'};
            case WRONG_SHAPE -> index % 2 == 0
                    ? bytes("[\"" + jobId + "\", \"a red cube\", 64, 64]")
                    : bytes("{\"jobId\": {\"nested\": true}, \"prompt\": [\"a\", \"red\", \"cube\"], \"width\": \"wide\","
                            + " \"steps\": -3}");
            case UNKNOWN_VERSION -> EventJson.toBytes(new GenerationRequested(jobId, "a red cube, schema v2", null, 64,
                    64, 2, 5.0, (long) index, null, 1, null, Instant.now()));
            case HUGE -> huge(jobId);
        };
    }

    private static byte[] huge(String jobId) {
        char[] prompt = new char[HUGE_BYTES];
        Arrays.fill(prompt, 'a');
        return EventJson.toBytes(new GenerationRequested(jobId, new String(prompt), null, 64, 64, 2, 5.0, 1L, null,
                1, null, Instant.now()));
    }

    /** Every kind's label, in cycle order (for the summary). */
    static List<String> labels() {
        return Arrays.stream(Kind.values()).map(Kind::label).toList();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
