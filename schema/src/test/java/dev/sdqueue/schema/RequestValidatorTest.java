package dev.sdqueue.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RequestValidatorTest {
    private static final RequestLimits LIMITS = new RequestLimits(100, 64, 1024, 768, 1024L * 768, 50, 0, 20, 4);
    private final RequestValidator validator = new RequestValidator(LIMITS);

    private static GenerationRequested request(String prompt, Integer width, Integer height, Integer steps,
                                               Double guidance, String scheduler, Integer numImages) {
        return new GenerationRequested("j", prompt, null, width, height, steps, guidance, null, scheduler, numImages,
                null, null);
    }

    @Test
    void acceptsAFullValidRequestAndOneWithOnlyAPrompt() {
        assertThat(validator.validate(request("a cat", 1024, 768, 50, 20.0, "unipc", 4))).isEmpty();
        assertThat(validator.validate(request("a cat", null, null, null, null, null, null))).isEmpty();
    }

    static List<Object[]> badRequests() {
        return List.of(
                new Object[] {request(null, null, null, null, null, null, null), "prompt"},
                new Object[] {request(" \t", null, null, null, null, null, null), "prompt"},
                new Object[] {request("x".repeat(101), null, null, null, null, null, null), "prompt"},
                new Object[] {request("p", 500, null, null, null, null, null), "width"},
                new Object[] {request("p", 2048, null, null, null, null, null), "width"},
                new Object[] {request("p", null, 776, null, null, null, null), "height"},
                new Object[] {request("p", null, 56, null, null, null, null), "height"},
                new Object[] {request("p", null, null, 0, null, null, null), "steps"},
                new Object[] {request("p", null, null, 51, null, null, null), "steps"},
                new Object[] {request("p", null, null, null, Double.NaN, null, null), "guidanceScale"},
                new Object[] {request("p", null, null, null, Double.POSITIVE_INFINITY, null, null), "guidanceScale"},
                new Object[] {request("p", null, null, null, -1.0, null, null), "guidanceScale"},
                new Object[] {request("p", null, null, null, null, "k_lms", null), "scheduler"},
                new Object[] {request("p", null, null, null, null, null, 0), "numImages"},
                new Object[] {request("p", null, null, null, null, null, 5), "numImages"});
    }

    @ParameterizedTest
    @MethodSource("badRequests")
    void namesTheBadField(GenerationRequested bad, String field) {
        assertThat(validator.validate(bad)).extracting(Violation::field).containsExactly(field);
    }

    @Test
    void namesEveryBadFieldAtOnce() {
        GenerationRequested bad = request("", 100, 12, 0, Double.NaN, "nope", 9);
        assertThat(validator.validate(bad)).extracting(Violation::field)
                .containsExactly("prompt", "width", "height", "steps", "numImages", "guidanceScale", "scheduler");
    }

    @Test
    void boundsThePixelCountNotOnlyEachSide() {
        RequestLimits squareBudget = new RequestLimits(100, 64, 1024, 1024, 512L * 512, 50, 0, 20, 4);
        List<Violation> violations = new RequestValidator(squareBudget).validate(request("p", 1024, 1024, null,
                null, null, null));
        assertThat(violations).extracting(Violation::field).containsExactly("width");
        assertThat(violations.get(0).message()).contains("1024x1024");
    }

    @Test
    void promptLengthCountsCharactersNotUtf16Units() {
        String hundredEmoji = "\uD83D\uDC31".repeat(100);
        assertThat(validator.validate(request(hundredEmoji, null, null, null, null, null, null))).isEmpty();
    }

    @Test
    void defaultsFillOnlyAbsentFields() {
        GenerationRequested filled = RequestDefaults.DEFAULTS.applyTo(request("p", 640, null, null, 3.0, null, null));
        assertThat(filled.width()).isEqualTo(640);
        assertThat(filled.height()).isEqualTo(RequestDefaults.DEFAULTS.height());
        assertThat(filled.steps()).isEqualTo(RequestDefaults.DEFAULTS.steps());
        assertThat(filled.guidanceScale()).isEqualTo(3.0);
        assertThat(filled.seed()).isNull();
        assertThat(filled.model()).as("no contract-wide model: absent means the worker's").isNull();
    }

    @Test
    void anAbsentModelTakesTheWorkersModelAndAGivenOneIsKept() {
        RequestDefaults worker = new RequestDefaults(512, 512, 20, 7.5, 1, null, "sd15");
        assertThat(worker.applyTo(request("p", null, null, null, null, null, null)).model()).isEqualTo("sd15");
        GenerationRequested other = new GenerationRequested("j", "p", null, null, null, null, null, null, null, null,
                "other", null);
        assertThat(worker.applyTo(other).model()).isEqualTo("other");
    }

    @Test
    void limitsThatAllowNothingAreRefused() {
        assertThatThrownBy(() -> new RequestLimits(100, 60, 1024, 1024, 1L << 20, 50, 0, 20, 4))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RequestLimits(100, 64, 1024, 1024, 1L << 20, 50, 5, 1, 4))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void retryTopicNamesEndWithTheDelay() {
        assertThat(Topics.retry(10_000)).isEqualTo("sdq.generation.requests_retry_10000");
        assertThatThrownBy(() -> Topics.retry(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
