package dev.sdqueue.dispatcher.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdempotencyKeyTest {

    @Test
    void absentWhenNoHeader() {
        assertThat(IdempotencyKey.parse(null)).isInstanceOf(IdempotencyKey.Absent.class);
        assertThat(IdempotencyKey.parse(List.of())).isInstanceOf(IdempotencyKey.Absent.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"8e03978e-40d5-43e8-bc93-6894a57f9324", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "order-17:v2",
            "a", "YWJj+/w==", "user@example.com", "snake_case.dotted~tilde"})
    void validKeysPlainOrAsQuotedSfString(String key) {
        assertThat(valid(key)).isEqualTo(key);
        assertThat(valid("\"" + key + "\"")).as("RFC 8941 sf-string form").isEqualTo(key);
        assertThat(valid("  " + key + " ")).as("surrounding whitespace of the field value").isEqualTo(key);
    }

    @Test
    void longestKeyIsAccepted() {
        String key = "k".repeat(IdempotencyKey.MAX_LENGTH);
        assertThat(valid(key)).isEqualTo(key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\"\"", "two words", "comma,separated", "semi;colon", "quote\"inside",
            "back\\slash", "tab\there", "caf\u00e9", "\"unterminated", "emoji\ud83e\udd8a", "<tag>"})
    void invalidKeysAreNamed(String raw) {
        IdempotencyKey.Header header = IdempotencyKey.parse(List.of(raw));
        assertThat(header).as(raw).isInstanceOf(IdempotencyKey.Invalid.class);
        IdempotencyKey.Invalid invalid = (IdempotencyKey.Invalid) header;
        assertThat(invalid.violation().field()).isEqualTo("Idempotency-Key");
        assertThat(invalid.violation().message()).isNotBlank();
    }

    @Test
    void tooLongIsNamedWithItsLength() {
        IdempotencyKey.Header header = IdempotencyKey.parse(List.of("k".repeat(IdempotencyKey.MAX_LENGTH + 1)));
        assertThat(((IdempotencyKey.Invalid) header).violation().message()).contains("255").contains("256");
    }

    @Test
    void sentTwiceIsInvalid() {
        IdempotencyKey.Header header = IdempotencyKey.parse(List.of("a", "a"));
        assertThat(((IdempotencyKey.Invalid) header).violation().message()).contains("once");
    }

    @Test
    void jobIdsAreStableVersion5UuidsDistinctPerKeyAndGeneration() {
        IdempotencyKey key = new IdempotencyKey("order-17");
        UUID first = UUID.fromString(key.jobId(0));
        assertThat(first.version()).isEqualTo(5);
        assertThat(new IdempotencyKey("order-17").jobId(0)).isEqualTo(first.toString());
        assertThat(new IdempotencyKey("order-18").jobId(0)).isNotEqualTo(first.toString());
        Set<String> generations = new HashSet<>();
        IntStream.range(0, 50).forEach(g -> generations.add(key.jobId(g)));
        assertThat(generations).hasSize(50);
        // Generation n is named "<key> <n>": no key contains a space, so it never equals another key's first id.
        assertThatThrownBy(() -> new IdempotencyKey("order-17 1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void batchItemIdsAreStableAndDistinctFromEachOtherTheKeysOwnAndOtherGenerations() {
        IdempotencyKey key = new IdempotencyKey("batch-9");
        assertThat(new IdempotencyKey("batch-9").itemJobId(3, 0)).isEqualTo(key.itemJobId(3, 0));
        assertThat(UUID.fromString(key.itemJobId(0, 0)).version()).isEqualTo(5);
        Set<String> ids = new HashSet<>();
        IntStream.range(0, 100).forEach(item -> IntStream.range(0, 3).forEach(g -> ids.add(key.itemJobId(item, g))));
        IntStream.range(0, 3).forEach(g -> ids.add(key.jobId(g)));
        assertThat(ids).as("100 items x 3 generations + the single request's 3").hasSize(303);
        // Item i is named "<key>[i]": '[' is not allowed in keys, so no other key's id can be the same.
        assertThat(IdempotencyKey.parse(List.of("batch-9[0]"))).isInstanceOf(IdempotencyKey.Invalid.class);
        assertThatThrownBy(() -> key.itemJobId(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static String valid(String raw) {
        IdempotencyKey.Header header = IdempotencyKey.parse(List.of(raw));
        assertThat(header).as(raw).isInstanceOf(IdempotencyKey.Valid.class);
        return ((IdempotencyKey.Valid) header).key().value();
    }
}
