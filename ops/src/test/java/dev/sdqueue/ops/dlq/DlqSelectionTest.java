package dev.sdqueue.ops.dlq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sdqueue.schema.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DlqSelectionTest {
    private static final Instant NOW = Instant.parse("2026-11-26T14:00:00Z");

    @ParameterizedTest
    @CsvSource({
            "2026-11-26T13:00:00Z,      2026-11-26T13:00:00Z",
            "2026-11-26T15:30:00+02:00, 2026-11-26T13:30:00Z",
            "2026-11-25,                2026-11-25T00:00:00Z",
            "90s,                       2026-11-26T13:58:30Z",
            "15m,                       2026-11-26T13:45:00Z",
            "2h,                        2026-11-26T12:00:00Z",
            "1d12h,                     2026-11-25T02:00:00Z",
            "1h30m,                     2026-11-26T12:30:00Z",
            "PT15M,                     2026-11-26T13:45:00Z",
            "p1d,                       2026-11-25T14:00:00Z"})
    void sinceIsAnInstantADateOrAnAge(String text, String expected) {
        assertThat(DlqSelection.parseSince(text, NOW)).isEqualTo(Instant.parse(expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "yesterday", "15", "15 minutes", "2026-11-26T13:00:00", "PTX", "1w"})
    void anUnreadableSinceSaysWhatItAccepts(String text) {
        assertThatThrownBy(() -> DlqSelection.parseSince(text, NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("15m");
    }

    @Test
    void reasonsAreAnyOfCaseInsensitiveAndNoneMeansWithout() {
        DlqRecord invalid = record(0, 1, "job-1", "invalid", NOW);
        DlqRecord poison = record(0, 2, "job-2", "poison", NOW);
        DlqRecord plain = record(0, 3, "job-3", null, NOW);
        DlqSelection invalidOrPoison = new DlqSelection(List.of("INVALID", "poison"), Optional.empty(),
                Optional.empty());
        assertThat(List.of(invalid, poison, plain)).filteredOn(invalidOrPoison).containsExactly(invalid, poison);
        DlqSelection none = new DlqSelection(List.of("none"), Optional.empty(), Optional.empty());
        assertThat(List.of(invalid, poison, plain)).filteredOn(none).containsExactly(plain);
    }

    @Test
    void sinceKeepsRecordsDeadLetteredAtOrAfterIt() {
        DlqRecord old = record(0, 1, "a", "x", NOW.minus(Duration.ofHours(3)));
        DlqRecord edge = record(0, 2, "b", "x", NOW.minus(Duration.ofHours(1)));
        DlqRecord recent = record(0, 3, "c", "x", NOW);
        DlqSelection lastHour = new DlqSelection(List.of(), Optional.of(NOW.minus(Duration.ofHours(1))),
                Optional.empty());
        assertThat(List.of(old, edge, recent)).filteredOn(lastHour).containsExactly(edge, recent);
    }

    @Test
    void anIdIsALocationOrAJobIdFromTheKeyOrTheValue() {
        DlqRecord keyed = record(2, 17, "job-1", "x", NOW);
        DlqRecord keyless = new DlqRecord("t", 0, 5, NOW, null,
                "{\"jobId\":\"job-9\",\"prompt\":\"p\"}".getBytes(StandardCharsets.UTF_8), List.of());
        assertThat(DlqSelection.matchesId(keyed, "2:17")).isTrue();
        assertThat(DlqSelection.matchesId(keyed, "2:18")).isFalse();
        assertThat(DlqSelection.matchesId(keyed, "0:17")).isFalse();
        assertThat(DlqSelection.matchesId(keyed, "job-1")).isTrue();
        assertThat(DlqSelection.matchesId(keyed, "job-2")).isFalse();
        assertThat(DlqSelection.matchesId(keyless, "job-9")).isTrue();
        assertThat(DlqSelection.location("3:44")).hasValueSatisfying(l -> assertThat(l).containsExactly(3, 44));
        assertThat(DlqSelection.location("job-1")).isEmpty();
    }

    @Test
    void criteriaCombineAndNoCriteriaIsEverything() {
        DlqRecord r = record(0, 1, "job-1", "invalid", NOW);
        assertThat(DlqSelection.all().test(r)).isTrue();
        assertThat(DlqSelection.all().isEmpty()).isTrue();
        assertThat(new DlqSelection(List.of("invalid"), Optional.of(NOW), Optional.of("job-1")).test(r)).isTrue();
        assertThat(new DlqSelection(List.of("invalid"), Optional.of(NOW), Optional.of("job-2")).test(r)).isFalse();
        assertThat(new DlqSelection(List.of("invalid"), Optional.of(NOW.plusMillis(1)), Optional.empty()).test(r))
                .isFalse();
    }

    static DlqRecord record(int partition, long offset, String key, String reason, Instant at) {
        List<DlqRecord.Header> headers = reason == null ? List.of()
                : List.of(new DlqRecord.Header(Headers.DLQ_REASON, reason.getBytes(StandardCharsets.UTF_8)));
        return new DlqRecord("sdq.generation.requests.dlq", partition, offset, at,
                key.getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8), headers);
    }
}
