package dev.sdqueue.pipeline.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sdqueue.pipeline.ReferenceData;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every prompt of {@code clip/tokenizer_cases.json} (ids produced by Hugging Face's CLIPTokenizer)
 * against our tokenizer, for both padding styles: SD 1.x (pad with EOS) and SD 2.x (pad "!", id 0).
 */
class ClipTokenizerReferenceTest {

    private static final JsonNode CASES = ReferenceData.json(ReferenceData.file("clip/tokenizer_cases.json"));
    private static final ClipTokenizer PAD_EOS = tokenizer(ClipTokenizer.EOS);
    private static final ClipTokenizer PAD_BANG = tokenizer("!");

    private static ClipTokenizer tokenizer(String pad) {
        return ClipTokenizer.fromFiles(ReferenceData.file("clip/vocab.json"), ReferenceData.file("clip/merges.txt"),
                pad, ClipTokenizer.DEFAULT_MAX_LENGTH);
    }

    private static Stream<JsonNode> prompts() {
        List<JsonNode> list = new ArrayList<>();
        CASES.get("prompts").forEach(list::add);
        return list.stream();
    }

    @Test
    void referenceFileHasCasesAndTheSpecialIdsWeExpect() {
        assertThat(CASES.get("prompts").size()).isGreaterThanOrEqualTo(20);
        assertThat(PAD_EOS.bosId()).isEqualTo(CASES.get("special_ids").get("bos <|startoftext|>").asInt());
        assertThat(PAD_EOS.eosId()).isEqualTo(CASES.get("special_ids").get("eos <|endoftext|>").asInt());
        assertThat(PAD_EOS.padId()).isEqualTo(PAD_EOS.eosId());
        assertThat(PAD_BANG.padId()).isZero();
    }

    @TestFactory
    Stream<DynamicTest> normalizedTextMatchesBasicTokenizer() {
        return prompts().map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () ->
                assertThat(ClipTextNormalizer.normalize(c.get("text").asText()))
                        .isEqualTo(c.get("normalized").asText())));
    }

    @TestFactory
    Stream<DynamicTest> tokensMatch() {
        return prompts().map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () ->
                assertThat(PAD_EOS.tokenize(c.get("text").asText())).containsExactlyElementsOf(strings(c.get("tokens")))));
    }

    @TestFactory
    Stream<DynamicTest> unpaddedIdsMatch() {
        return prompts().map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () ->
                assertThat(PAD_EOS.encodeUnpadded(c.get("text").asText())).containsExactly(ints(c.get("ids_no_pad")))));
    }

    @TestFactory
    Stream<DynamicTest> paddedWithEosLikeSd1() {
        return prompts().map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> {
            TokenizedPrompt p = PAD_EOS.encode(c.get("text").asText());
            assertThat(p.inputIds()).containsExactly(ints(c.get("input_ids_pad_eos")));
            assertThat(p.truncated()).isEqualTo(c.get("truncated").asBoolean());
            assertThat(p.tokenCount()).isEqualTo(count(c.get("attention_mask_pad_eos")));
        }));
    }

    @TestFactory
    Stream<DynamicTest> paddedWithBangLikeSd2() {
        return prompts().map(c -> DynamicTest.dynamicTest(c.get("name").asText(), () -> {
            TokenizedPrompt p = PAD_BANG.encode(c.get("text").asText());
            assertThat(p.inputIds()).containsExactly(ints(c.get("input_ids_pad_bang")));
            assertThat(PAD_BANG.tokenize(c.get("text").asText()))
                    .containsExactlyElementsOf(strings(c.get("tokens_pad_bang_tokenizer")));
            assertThat(p.truncated()).isEqualTo(c.get("truncated").asBoolean());
        }));
    }

    @TestFactory
    Stream<DynamicTest> truncatedTextIsTheDroppedTail() {
        return prompts().filter(c -> c.get("truncated").asBoolean()).map(c ->
                DynamicTest.dynamicTest(c.get("name").asText(), () -> {
                    TokenizedPrompt p = PAD_EOS.encode(c.get("text").asText());
                    int[] all = ints(c.get("ids_no_pad"));
                    int kept = ClipTokenizer.DEFAULT_MAX_LENGTH - 2;
                    // The dropped ids, decoded, must be exactly what we report as cut off.
                    int[] dropped = java.util.Arrays.copyOfRange(all, 1 + kept, all.length - 1);
                    assertThat(p.truncatedText()).isNotEmpty().isEqualTo(PAD_EOS.decode(dropped));
                    int[] keptIds = java.util.Arrays.copyOfRange(all, 1, 1 + kept);
                    int[] contentIds = java.util.Arrays.copyOfRange(all, 1, all.length - 1);
                    assertThat(PAD_EOS.decode(keptIds) + " " + p.truncatedText()).isEqualTo(PAD_EOS.decode(contentIds));
                }));
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static int count(JsonNode mask) {
        int n = 0;
        for (JsonNode v : mask) {
            n += v.asInt();
        }
        return n;
    }
}
