package dev.sdqueue.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.RequestDefaults;
import dev.sdqueue.schema.RequestLimits;
import dev.sdqueue.schema.RequestValidator;
import dev.sdqueue.schema.Violation;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link RequestIntake#evaluateBatch}: each item checked like a single body, problems named requests[i].field. */
class RequestIntakeBatchTest {
    private static final Instant AT = Instant.parse("2026-01-02T03:04:05.678Z");
    private final RequestIntake intake = new RequestIntake(new RequestValidator(RequestLimits.DEFAULTS),
            RequestDefaults.DEFAULTS);

    @Test
    void validItemsAreAcceptedInOrderWithTheirOwnIdsAndDefaults() {
        List<GenerationRequested> requests = accepted("{\"requests\":[{\"prompt\":\"one\"},"
                + "{\"prompt\":\"two\",\"width\":768},{\"prompt\":\"three\",\"seed\":3}]}");
        assertThat(requests).extracting(GenerationRequested::prompt).containsExactly("one", "two", "three");
        assertThat(requests).extracting(GenerationRequested::jobId).containsExactly("job-1", "job-2", "job-3");
        assertThat(requests).extracting(GenerationRequested::requestedAt).containsOnly(AT);
        assertThat(requests).extracting(GenerationRequested::width)
                .containsExactly(RequestDefaults.DEFAULTS.width(), 768, RequestDefaults.DEFAULTS.width());
        assertThat(requests.get(2).seed()).isEqualTo(3L);
    }

    @Test
    void anItemIsJudgedExactlyLikeASingleBody() {
        String item = "{\"prompt\":\"p\",\"negativePrompt\":\"n\",\"width\":768,\"steps\":3,\"guidanceScale\":1.5,"
                + "\"numImages\":2}";
        GenerationRequested single = ((RequestIntake.Accepted) intake.evaluate("application/json", bytes(item),
                "job-1", AT)).request();
        assertThat(accepted("{\"requests\":[" + item + "]}")).containsExactly(single);
    }

    @Test
    void everyBadItemFieldIsNamedWithItsIndex() {
        assertThat(fields("{\"requests\":[{\"prompt\":\"ok\"},{\"prompt\":\"p\",\"width\":500},"
                + "{\"prompt\":\"\",\"steps\":0,\"negative_prompt\":\"x\"},7,{\"prompt\":\"p\",\"width\":\"abc\"}]}"))
                .containsExactlyInAnyOrder("requests[1].width", "requests[2].prompt", "requests[2].steps",
                        "requests[2].negative_prompt", "requests[3]", "requests[4].width");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{}                                  | requests",
            "{\"requests\":null}                 | requests",
            "{\"requests\":[]}                   | requests",
            "{\"requests\":{\"prompt\":\"p\"}}   | requests",
            "{\"requests\":\"p\"}                | requests",
            "[{\"prompt\":\"p\"}]                | body",
            "not json                            | body",
            "{\"requests\":[{\"prompt\":\"p\",\"width\":5x}]} | requests[0].width"})
    void theEnvelopeIsNamed(String body, String field) {
        assertThat(fields(body)).containsExactly(field);
    }

    @Test
    void unknownTopLevelPropertiesAreNamedTogetherWithItemProblems() {
        assertThat(fields("{\"requests\":[{\"prompt\":\"p\",\"steps\":0}],\"request\":[]}"))
                .containsExactlyInAnyOrder("request", "requests[0].steps");
    }

    @Test
    void moreThanTheLimitIsNamedAsRequestsAndNoItemIsRead() {
        String three = "{\"requests\":[{\"prompt\":\"\"},{\"prompt\":\"b\"},{\"prompt\":\"c\"}]}";
        RequestIntake.BatchOutcome outcome = intake.evaluateBatch("application/json", bytes(three), 2, ids(), AT);
        assertThat(((RequestIntake.Rejected) outcome).violations()).singleElement().satisfies(v -> {
            assertThat(v.field()).isEqualTo("requests");
            assertThat(v.message()).contains("1 to 2").contains("3");
        });
        assertThat(intake.evaluateBatch("application/json", bytes(three.replace("\"\"", "\"a\"")), 3, ids(), AT))
                .isInstanceOf(RequestIntake.BatchAccepted.class);
    }

    @Test
    void theMediaTypeIsCheckedLikeTheSingleEndpoint() {
        RequestIntake.BatchOutcome outcome = intake.evaluateBatch("text/plain",
                bytes("{\"requests\":[{\"prompt\":\"p\"}]}"), 10, ids(), AT);
        assertThat(((RequestIntake.Rejected) outcome).violations()).extracting(Violation::field)
                .containsExactly("Content-Type");
    }

    private List<GenerationRequested> accepted(String body) {
        RequestIntake.BatchOutcome outcome = intake.evaluateBatch("application/json", bytes(body), 100, ids(), AT);
        assertThat(outcome).isInstanceOf(RequestIntake.BatchAccepted.class);
        return ((RequestIntake.BatchAccepted) outcome).requests();
    }

    private List<String> fields(String body) {
        RequestIntake.BatchOutcome outcome = intake.evaluateBatch("application/json", bytes(body), 100, ids(), AT);
        assertThat(outcome).as(body).isInstanceOf(RequestIntake.Rejected.class);
        List<Violation> violations = ((RequestIntake.Rejected) outcome).violations();
        assertThat(violations).allSatisfy(v -> assertThat(v.message()).isNotBlank());
        return violations.stream().map(Violation::field).distinct().toList();
    }

    private static java.util.function.Supplier<String> ids() {
        AtomicInteger next = new AtomicInteger();
        return () -> "job-" + next.incrementAndGet();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
