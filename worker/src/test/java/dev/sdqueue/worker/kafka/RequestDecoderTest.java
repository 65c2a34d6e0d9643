package dev.sdqueue.worker.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** Every kind of record on the request topic ends as a request or a poison reason; nothing throws. */
class RequestDecoderTest {
    private final RequestDecoder decoder = new RequestDecoder(1024);

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private RequestDecoder.Decoded decode(String key, byte[] value, String ceType) {
        RecordHeaders headers = new RecordHeaders();
        if (ceType != null) {
            headers.add(Headers.CE_TYPE, utf8(ceType));
        }
        return decoder.decode(key == null ? null : utf8(key), value, headers);
    }

    private static RequestDecoder.Poison poison(RequestDecoder.Decoded decoded) {
        assertThat(decoded).isInstanceOf(RequestDecoder.Poison.class);
        return (RequestDecoder.Poison) decoded;
    }

    @Test
    void aContractRequestDecodesWithItsDeadline() {
        Instant deadline = Instant.parse("2026-11-26T12:00:00Z");
        byte[] value = EventJson.toBytes(new GenerationRequested("j1", "a cat", null, 64, 64, 2, null, 1L, null,
                null, null, null, deadline));

        RequestDecoder.Decoded decoded = decode("j1", value, Headers.TYPE_REQUESTED);

        assertThat(decoded).isInstanceOfSatisfying(RequestDecoder.Request.class, r -> {
            assertThat(r.request().jobId()).isEqualTo("j1");
            assertThat(r.request().deadline()).isEqualTo(deadline);
        });
    }

    @Test
    void theKeyNamesTheJobWhenTheValueHasNoJobId() {
        RequestDecoder.Decoded decoded = decode("from-key", utf8("{\"prompt\":\"a cat\",\"extra\":1}"), null);

        assertThat(decoded).isInstanceOfSatisfying(RequestDecoder.Request.class,
                r -> assertThat(r.request().jobId()).isEqualTo("from-key"));
    }

    @Test
    void eachPoisonKindHasItsReasonAndTheJobItNames() {
        assertThat(poison(decode("k", null, null))).extracting(RequestDecoder.Poison::reason).isEqualTo("empty");
        assertThat(poison(decode("k", new byte[1025], null)))
                .satisfies(p -> assertThat(p.reason()).isEqualTo("too_large"))
                .satisfies(p -> assertThat(p.message()).contains("1025"));
        assertThat(poison(decode("k", new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}, null)).reason())
                .isEqualTo("not_utf8");
        assertThat(poison(decode("k", utf8("{not json"), null)).reason()).isEqualTo("not_json");
        assertThat(poison(decode("k", utf8("{\"jobId\":\"a\"} trailing"), null)).reason()).isEqualTo("not_json");
        assertThat(poison(decode("k", utf8("[1,2]"), null)).reason()).isEqualTo("wrong_shape");
        assertThat(poison(decode("k", utf8("{\"jobId\":\"j\",\"width\":\"wide\"}"), null)))
                .satisfies(p -> assertThat(p.reason()).isEqualTo("wrong_shape"))
                .satisfies(p -> assertThat(p.jobId()).isEqualTo("j"));
        assertThat(poison(decode("k", utf8("{\"jobId\":7}"), null)).reason()).isEqualTo("wrong_shape");
        assertThat(poison(decode(null, utf8("{\"prompt\":\"p\"}"), null)))
                .satisfies(p -> assertThat(p.reason()).isEqualTo("wrong_shape"))
                .satisfies(p -> assertThat(p.jobId()).isNull());
        assertThat(poison(decode("k", utf8("{\"jobId\":\"j\",\"schemaVersion\":2}"), null)).reason())
                .isEqualTo("unknown_version");
        assertThat(poison(decode("k", utf8("{\"jobId\":\"j\"}"), "dev.sdqueue.generation.requested.v2")))
                .satisfies(p -> assertThat(p.reason()).isEqualTo("unknown_version"))
                .satisfies(p -> assertThat(p.jobId()).isEqualTo("k"));
        assertThat(poison(decode("k", utf8("{\"jobId\":\"j\"}"), "dev.sdqueue.generation.completed.v1")).reason())
                .isEqualTo("wrong_type");
    }

    @Test
    void schemaVersionOneIsTheCurrentVersion() {
        assertThat(decode("k", utf8("{\"jobId\":\"j\",\"prompt\":\"p\",\"schemaVersion\":1}"), null))
                .isInstanceOf(RequestDecoder.Request.class);
    }

    @Test
    void aKeyThatIsNotUtf8OrNotAnIdNamesNoJob() {
        assertThat(RequestDecoder.jobIdOf(new byte[] {(byte) 0xFF, (byte) 0xFE})).isNull();
        assertThat(RequestDecoder.jobIdOf(utf8("  "))).isNull();
        assertThat(RequestDecoder.jobIdOf(utf8("a\u0000b"))).isNull();
        assertThat(RequestDecoder.jobIdOf(utf8("x".repeat(201)))).isNull();
        assertThat(RequestDecoder.jobIdOf(utf8("0b6f3c1e-job"))).isEqualTo("0b6f3c1e-job");
    }
}
