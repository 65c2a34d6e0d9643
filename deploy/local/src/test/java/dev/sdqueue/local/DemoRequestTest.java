package dev.sdqueue.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code ./sdq demo}'s arguments to the body it posts. */
class DemoRequestTest {

    private static String json(DemoRequest request) throws Exception {
        return JobView.MAPPER.writeValueAsString(request.toJson(JobView.MAPPER));
    }

    @Test
    void onlyThePromptWhenNoOptionIsGiven() throws Exception {
        DemoRequest request = DemoRequest.of(List.of("a red cube"), null, null, null, null, null, null, null);

        assertThat(json(request)).isEqualTo("{\"prompt\":\"a red cube\"}");
    }

    @Test
    void everyOptionMapsToItsContractField() throws Exception {
        DemoRequest request = DemoRequest.of(List.of("a cat"), "blurry", 20, 42L, "256x384", "euler", 7.5, 2);

        assertThat(json(request)).isEqualTo("{\"prompt\":\"a cat\",\"negativePrompt\":\"blurry\",\"steps\":20,"
                + "\"seed\":42,\"width\":256,\"height\":384,\"scheduler\":\"euler\",\"guidanceScale\":7.5,"
                + "\"numImages\":2}");
    }

    @Test
    void aSeedBeyondIntStaysExact() throws Exception {
        DemoRequest request = DemoRequest.of(List.of("x"), null, null, 4_294_967_296L, null, null, null, null);

        assertThat(json(request)).contains("\"seed\":4294967296");
    }

    @Test
    void noPromptOrTwoPromptsOrABadSizeAreRejectedWithTheReason() {
        assertThatThrownBy(() -> DemoRequest.of(List.of(), null, null, null, null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("usage: ./sdq demo \"PROMPT\"");
        assertThatThrownBy(() -> DemoRequest.of(null, null, null, null, null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("usage:");
        assertThatThrownBy(() -> DemoRequest.of(List.of("a", "cat"), null, null, null, null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one prompt only (quote it)");
        for (String size : List.of("512", "512x", "x512", "512*512", "-1x5", "99999999999x1")) {
            assertThatThrownBy(() -> DemoRequest.of(List.of("a"), null, null, null, size, null, null, null))
                    .as(size).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("--size must look like 512x512, got '" + size + "'");
        }
    }
}
