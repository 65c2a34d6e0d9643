package dev.sdqueue.ops.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.schema.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestShapeTest {
    private static final String VALID = "{\"jobId\":\"j1\",\"prompt\":\"a fox\",\"width\":512}";

    @Test
    void aRequestIsNotPoisonEvenWithValuesAWorkerRefused() {
        assertThat(RequestShape.poisonReason(record("j1", VALID, List.of()))).isEmpty();
        assertThat(RequestShape.poisonReason(record("j1", "{\"prompt\":\"p\",\"width\":4096,\"x\":1}",
                List.of()))).as("invalid values and unknown fields are not poison").isEmpty();
        assertThat(RequestShape.poisonReason(record(null, VALID, List.of()))).as("job id from the value").isEmpty();
        assertThat(RequestShape.poisonReason(record("j1", "{\"prompt\":\"p\",\"schemaVersion\":1}", List.of())))
                .isEmpty();
        assertThat(RequestShape.poisonReason(record("j1", VALID,
                List.of(header(Headers.CE_TYPE, Headers.TYPE_REQUESTED))))).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "not json at all                      | not JSON",
            "{\"prompt\":\"p\"} trailing          | not JSON",
            "[1,2]                                | not an object",
            "\"a string\"                         | not an object",
            "{\"jobId\":\"j\"}                    | no prompt",
            "{\"prompt\":\"  \"}                  | no prompt",
            "{\"prompt\":\"p\",\"width\":\"wide\"} | does not fit",
            "{\"prompt\":{\"text\":\"p\"}}        | does not fit",
            "{\"prompt\":\"p\",\"jobId\":5}       | jobId is not a string",
            "{\"prompt\":\"p\",\"schemaVersion\":2} | schemaVersion 2 is not 1",
            "''                                    | empty value"})
    void theWrongShapeIsPoison(String value, String why) {
        assertThat(RequestShape.poisonReason(record("j1", value, List.of()))).hasValueSatisfying(
                reason -> assertThat(reason).contains(why));
    }

    @Test
    void notUtf8IsPoison() {
        DlqRecord binary = new DlqRecord("t", 0, 0, Instant.EPOCH, bytes("j1"),
                new byte[] {(byte) 0xff, (byte) 0xfe, '{', '}'}, List.of());
        assertThat(RequestShape.poisonReason(binary)).contains("value is not UTF-8 text");
    }

    @Test
    void tooBigIsPoison() {
        String big = "{\"prompt\":\"" + "x".repeat(RequestShape.MAX_REQUEST_BYTES) + "\"}";
        assertThat(RequestShape.poisonReason(record("j1", big, List.of()))).hasValueSatisfying(
                reason -> assertThat(reason).contains(String.valueOf(big.length())));
    }

    @Test
    void anotherEventTypeOrSchemaVersionIsPoison() {
        assertThat(RequestShape.poisonReason(record("j1", VALID,
                List.of(header(Headers.CE_TYPE, "dev.sdqueue.generation.requested.v2"))))).hasValueSatisfying(
                reason -> assertThat(reason).contains("requested.v2"));
        assertThat(RequestShape.poisonReason(record("j1", VALID,
                List.of(header(Headers.CE_TYPE, Headers.eventType("completed")))))).isPresent();
    }

    @Test
    void noValueOrNoJobIdIsPoison() {
        assertThat(RequestShape.poisonReason(new DlqRecord("t", 0, 0, Instant.EPOCH, bytes("j1"), null, List.of())))
                .contains("no value (tombstone)");
        assertThat(RequestShape.poisonReason(record(null, "{\"prompt\":\"p\"}", List.of())))
                .hasValueSatisfying(reason -> assertThat(reason).contains("no job id"));
    }

    private static DlqRecord record(String key, String value, List<DlqRecord.Header> headers) {
        return new DlqRecord("t", 0, 0, Instant.EPOCH, key == null ? null : bytes(key), bytes(value), headers);
    }

    private static DlqRecord.Header header(String name, String value) {
        return new DlqRecord.Header(name, bytes(value));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
