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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestIntakeTest {
    private static final String JSON = "application/json";
    private static final Instant AT = Instant.parse("2026-01-02T03:04:05.678Z");
    private final RequestIntake intake = new RequestIntake(new RequestValidator(RequestLimits.DEFAULTS),
            RequestDefaults.DEFAULTS);

    @Test
    void minimalRequestGetsIdTimeAndEveryDefault() {
        GenerationRequested r = accepted("{\"prompt\":\"a fox\"}");
        RequestDefaults d = RequestDefaults.DEFAULTS;
        assertThat(r.jobId()).isEqualTo("job-1");
        assertThat(r.requestedAt()).isEqualTo(AT);
        assertThat(r.prompt()).isEqualTo("a fox");
        assertThat(r.width()).isEqualTo(d.width());
        assertThat(r.height()).isEqualTo(d.height());
        assertThat(r.steps()).isEqualTo(d.steps());
        assertThat(r.guidanceScale()).isEqualTo(d.guidanceScale());
        assertThat(r.numImages()).isEqualTo(d.numImages());
        assertThat(r.model()).as("absent model means the worker's: not stamped").isNull();
        assertThat(r.seed()).as("the worker draws and reports the seed").isNull();
        assertThat(r.negativePrompt()).isNull();
    }

    @Test
    void givenValuesWinOverDefaultsAndNullMeansAbsent() {
        GenerationRequested r = accepted("{\"prompt\":\"p\",\"negativePrompt\":\"n\",\"width\":768,\"height\":256,"
                + "\"steps\":3,\"guidanceScale\":1.5,\"seed\":42,\"scheduler\":\"euler_a\",\"numImages\":2,"
                + "\"model\":\"m\"}");
        assertThat(r).isEqualTo(new GenerationRequested("job-1", "p", "n", 768, 256, 3, 1.5, 42L, "euler_a", 2, "m",
                AT));
        assertThat(accepted("{\"prompt\":\"p\",\"width\":null}").width()).isEqualTo(RequestDefaults.DEFAULTS.width());
    }

    @Test
    void aModelIsKeptWhenGivenAndStampedOnlyIfConfigured() {
        assertThat(accepted("{\"prompt\":\"p\",\"model\":\"sd15\"}").model()).isEqualTo("sd15");
        RequestDefaults configured = new RequestDefaults(512, 512, 20, 7.5, 1, null, "sd15");
        RequestIntake stamping = new RequestIntake(new RequestValidator(RequestLimits.DEFAULTS), configured);
        RequestIntake.Outcome outcome = stamping.evaluate(JSON, bytes("{\"prompt\":\"p\"}"), "job-1", AT);
        assertThat(((RequestIntake.Accepted) outcome).request().model()).isEqualTo("sd15");
    }

    @Test
    void mediaTypeParametersAndJsonSuffixAreAccepted() {
        for (String type : List.of("application/json; charset=UTF-8", "Application/JSON",
                "application/merge+json", "application/json;charset=\"utf-8\"")) {
            assertThat(intake.evaluate(type, bytes("{\"prompt\":\"p\"}"), "job-1", AT))
                    .as(type).isInstanceOf(RequestIntake.Accepted.class);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{}                                          | prompt",
            "{\"prompt\":\"   \"}                        | prompt",
            "{\"prompt\":\"p\",\"width\":513}            | width",
            "{\"prompt\":\"p\",\"height\":2048}           | height",
            "{\"prompt\":\"p\",\"width\":4096}           | width",
            "{\"prompt\":\"p\",\"steps\":0}              | steps",
            "{\"prompt\":\"p\",\"guidanceScale\":NaN}    | guidanceScale",
            "{\"prompt\":\"p\",\"guidanceScale\":\"NaN\"} | guidanceScale",
            "{\"prompt\":\"p\",\"guidanceScale\":-Infinity} | guidanceScale",
            "{\"prompt\":\"p\",\"guidanceScale\":\"7.5\"} | guidanceScale",
            "{\"prompt\":\"p\",\"scheduler\":\"karras-ish\"} | scheduler",
            "{\"prompt\":\"p\",\"width\":\"abc\"}        | width",
            "{\"prompt\":\"p\",\"width\":512.5}          | width",
            "{\"prompt\":\"p\",\"width\":{\"px\":512}}   | width",
            "{\"prompt\":\"p\",\"seed\":-1}              | seed",
            "{\"prompt\":\"p\",\"seed\":9223372036854775808} | seed",
            "{\"prompt\":42}                             | prompt",
            "{\"prompt\":\"p\",\"negative_prompt\":\"x\"} | negative_prompt",
            "{\"prompt\":\"p\",\"jobId\":\"mine\"}       | jobId",
            "{\"prompt\":\"p\",\"width\": abc}           | width",
            "{\"prompt\":\"p\",\"prompt\":\"q\"}         | prompt",
            "{\"prompt\":\"p\"} trailing                 | body",
            "{\"prompt\":                                | prompt",
            "{                                           | body",
            "[]                                          | body",
            "null                                        | body",
            "\"a fox\"                                   | body"})
    void eachBadRequestNamesItsField(String body, String field) {
        assertThat(rejected(body)).extracting(Violation::field).containsExactly(field);
    }

    @Test
    void overLongPromptIsCountedInCodePoints() {
        String limit = "🦊".repeat(RequestLimits.DEFAULTS.maxPromptLength());
        assertThat(accepted("{\"prompt\":\"" + limit + "\"}").prompt()).isEqualTo(limit);
        assertThat(rejected("{\"prompt\":\"" + limit + "x\"}")).extracting(Violation::field).containsExactly("prompt");
    }

    @Test
    void everyBadFieldIsNamedInOneAnswer() {
        List<Violation> violations = rejected("{\"prompt\":\"\",\"width\":513,\"height\":\"tall\",\"steps\":0,"
                + "\"guidanceScale\":NaN,\"scheduler\":\"nope\",\"negative_prompt\":\"x\",\"numImages\":99}");
        assertThat(violations).extracting(Violation::field).containsExactlyInAnyOrder(
                "prompt", "width", "height", "steps", "guidanceScale", "scheduler", "negative_prompt", "numImages");
        assertThat(violations).filteredOn(v -> v.field().equals("negative_prompt"))
                .extracting(Violation::message).singleElement().asString().contains("negativePrompt");
    }

    @Test
    void aFieldWithTheWrongTypeIsNamedOnce() {
        assertThat(rejected("{\"prompt\":true}")).singleElement()
                .satisfies(v -> assertThat(v.message()).contains("string"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "text/plain", "application/xml", "application/x-www-form-urlencoded",
            "application/json; charset=ISO-8859-1"})
    void wrongContentTypeIsNamed(String contentType) {
        RequestIntake.Outcome outcome = intake.evaluate(contentType.isEmpty() ? null : contentType,
                bytes("{\"prompt\":\"p\"}"), "job-1", AT);
        assertThat(outcome).isInstanceOf(RequestIntake.Rejected.class);
        assertThat(((RequestIntake.Rejected) outcome).violations()).extracting(Violation::field)
                .containsExactly("Content-Type");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\n"})
    void emptyBodyIsNamed(String body) {
        assertThat(rejected(body)).extracting(Violation::field).containsExactly("body");
        RequestIntake.Outcome none = intake.evaluate(JSON, null, "job-1", AT);
        assertThat(((RequestIntake.Rejected) none).violations()).extracting(Violation::field).containsExactly("body");
    }

    @Test
    void aDeadlineInTheFutureIsKeptNormalizedToUtc() {
        assertThat(accepted("{\"prompt\":\"p\",\"deadline\":\"2026-01-02T04:00:00Z\"}").deadline())
                .isEqualTo(Instant.parse("2026-01-02T04:00:00Z"));
        assertThat(accepted("{\"prompt\":\"p\",\"deadline\":\"2026-01-02T05:30:00.250+01:00\"}").deadline())
                .isEqualTo(Instant.parse("2026-01-02T04:30:00.250Z"));
        assertThat(accepted("{\"prompt\":\"p\",\"deadline\":null}").deadline()).isNull();
        assertThat(accepted("{\"prompt\":\"p\"}").deadline()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "\"2026-01-02T03:04:05.678Z\"",         // now: not in the future
            "\"2025-12-31T00:00:00Z\"",             // past
            "\"2026-01-03T03:04:05.679Z\"",         // 1 ms beyond the 24 h horizon
            "\"2026-01-02T04:00:00\"",              // no offset: ambiguous
            "\"tomorrow\"",
            "\"2026-13-01T00:00:00Z\"",
            "1767323045",                          // epoch seconds: not accepted, ISO-8601 only
            "{\"at\":\"2026-01-02T04:00:00Z\"}"})
    void aBadDeadlineIsNamed(String deadline) {
        assertThat(rejected("{\"prompt\":\"p\",\"deadline\":" + deadline + "}")).extracting(Violation::field)
                .containsExactly("deadline");
    }

    @Test
    void theHorizonIsConfigurable() {
        RequestIntake shortHorizon = new RequestIntake(new RequestValidator(RequestLimits.DEFAULTS),
                RequestDefaults.DEFAULTS, java.time.Duration.ofMinutes(5));
        byte[] sixMinutes = bytes("{\"prompt\":\"p\",\"deadline\":\"2026-01-02T03:10:05.678Z\"}");
        byte[] fiveMinutes = bytes("{\"prompt\":\"p\",\"deadline\":\"2026-01-02T03:09:05.678Z\"}");
        RequestIntake.Outcome tooFar = shortHorizon.evaluate(JSON, sixMinutes, "job-1", AT);
        assertThat(((RequestIntake.Rejected) tooFar).violations()).singleElement()
                .satisfies(v -> assertThat(v.message()).contains("PT5M"));
        assertThat(shortHorizon.evaluate(JSON, fiveMinutes, "job-1", AT)).isInstanceOf(RequestIntake.Accepted.class);
    }

    private GenerationRequested accepted(String body) {
        RequestIntake.Outcome outcome = intake.evaluate(JSON, bytes(body), "job-1", AT);
        assertThat(outcome).as(body).isInstanceOf(RequestIntake.Accepted.class);
        return ((RequestIntake.Accepted) outcome).request();
    }

    private List<Violation> rejected(String body) {
        RequestIntake.Outcome outcome = intake.evaluate(JSON, bytes(body), "job-1", AT);
        assertThat(outcome).as(body).isInstanceOf(RequestIntake.Rejected.class);
        List<Violation> violations = ((RequestIntake.Rejected) outcome).violations();
        assertThat(violations).as(body).allSatisfy(v -> assertThat(v.message()).isNotBlank());
        return violations;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
