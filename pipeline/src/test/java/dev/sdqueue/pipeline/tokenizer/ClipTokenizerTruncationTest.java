package dev.sdqueue.pipeline.tokenizer;

import dev.sdqueue.models.TinyRandomModel;
import dev.sdqueue.pipeline.ReferenceData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dropped tail of a prompt beyond the 77-token window ({@link TokenizedPrompt#truncatedText()}, reported as
 * {@code completed.truncatedPrompt}) when the cut falls inside a multi-byte character: byte-level BPE splits
 * "é" (2 bytes), "🐱" (4) and "猫" (3) over several tokens, so the window can end between a character's bytes.
 * The tail must never hold U+FFFD for such a character: a character whose bytes all lie in dropped tokens is decoded
 * from those bytes together, and one split across the boundary is reported whole at the start of the tail. Real
 * tokenizer files: the CLIP reference vocabulary of the tokenizer cases and the generated tiny-random tokenizer.
 */
class ClipTokenizerTruncationTest {

    /** 11 tokens with both vocabularies: ca f Ã ©</w> | ð Ł Ĳ ±</w> | ç Į «</w>. */
    private static final String UNIT = "café 🐱 猫 ";
    private static final int UNIT_TOKENS = 11;
    private static final String PROMPT = UNIT.repeat(12);

    @TempDir
    static Path temp;

    private static ClipTokenizer reference;
    private static ClipTokenizer tinyRandom;

    @BeforeAll
    static void loadTokenizers() throws IOException {
        reference = ClipTokenizer.fromFiles(ReferenceData.file("clip/vocab.json"),
                ReferenceData.file("clip/merges.txt"), ClipTokenizer.EOS, ClipTokenizer.DEFAULT_MAX_LENGTH);
        Path model = temp.resolve(TinyRandomModel.NAME);
        TinyRandomModel.write(model);
        tinyRandom = ClipTokenizer.load(model.resolve("tokenizer"));
    }

    private static ClipTokenizer tokenizer(String name) {
        return name.equals("reference") ? reference : tinyRandom;
    }

    /**
     * {@code shift} one-token words ("a") before the prompt move the cut through the 11 tokens of one unit: with
     * 75 content tokens, 75 - shift of the prompt are kept. The tail then starts with {@code head}, followed by
     * the five units wholly dropped.
     */
    static Stream<Arguments> cuts() {
        List<Arguments> cases = new ArrayList<>();
        for (String tokenizer : List.of("reference", "tiny-random")) {
            cases.add(Arguments.of(tokenizer, 0, "猫 "));        // 猫: 1 of 3 bytes kept
            cases.add(Arguments.of(tokenizer, 1, "猫 "));        // at a character boundary
            cases.add(Arguments.of(tokenizer, 2, "🐱 猫 "));     // 🐱: 3 of 4 bytes kept
            cases.add(Arguments.of(tokenizer, 3, "🐱 猫 "));     // 2 of 4
            cases.add(Arguments.of(tokenizer, 4, "🐱 猫 "));     // 1 of 4
            cases.add(Arguments.of(tokenizer, 5, "🐱 猫 "));     // at a character boundary
            cases.add(Arguments.of(tokenizer, 6, "é 🐱 猫 "));   // é: 1 of 2 bytes kept
            cases.add(Arguments.of(tokenizer, 7, "é 🐱 猫 "));   // inside the word, at a character boundary
        }
        return cases.stream();
    }

    @Test
    void theUnitSplitsItsCharactersOverSeveralTokensInBothVocabularies() {
        for (ClipTokenizer t : List.of(reference, tinyRandom)) {
            assertThat(t.tokenize(UNIT)).hasSize(UNIT_TOKENS);
            assertThat(t.tokenize(PROMPT)).hasSize(12 * UNIT_TOKENS);
        }
    }

    @ParameterizedTest(name = "{0}: cut {1} tokens earlier")
    @MethodSource("cuts")
    void aCharacterCutByTheWindowIsReportedWholeInTheTail(String name, int shift, String head) {
        ClipTokenizer t = tokenizer(name);
        TokenizedPrompt p = t.encode("a ".repeat(shift) + PROMPT);

        assertThat(p.truncated()).isTrue();
        assertThat(p.truncatedText()).doesNotContain("\uFFFD")
                .isEqualTo((head + UNIT.repeat(5)).strip());
        assertThat(PROMPT.strip()).endsWith(p.truncatedText());
    }

    @ParameterizedTest(name = "{0}: cut {1} tokens earlier")
    @MethodSource("cuts")
    void atACharacterBoundaryTheTailIsWhatHuggingFaceDecodesFromTheDroppedIds(String name, int shift, String head) {
        ClipTokenizer t = tokenizer(name);
        String prompt = "a ".repeat(shift) + PROMPT;
        int[] all = t.encodeUnpadded(prompt);
        int[] dropped = Arrays.copyOfRange(all, t.maxLength() - 1, all.length - 1); // after BOS + 75, before EOS
        String decoded = t.decode(dropped);
        if (!decoded.contains("\uFFFD")) {
            assertThat(t.encode(prompt).truncatedText()).isEqualTo(decoded);
        } else {
            // HF's errors="replace" would start with U+FFFD here; ours gives the whole character instead.
            assertThat(t.encode(prompt).truncatedText()).endsWith(decoded.replace("\uFFFD", "").strip());
        }
    }

    @Test
    void characterStartMovesBackOnlyInsideAWellFormedCharacter() {
        byte[] cat = "a🐱b".getBytes(java.nio.charset.StandardCharsets.UTF_8); // 61 F0 9F 90 B1 62
        assertThat(ByteLevelEncoding.characterStart(cat, 0)).isZero();
        assertThat(ByteLevelEncoding.characterStart(cat, 1)).isEqualTo(1);
        assertThat(ByteLevelEncoding.characterStart(cat, 2)).isEqualTo(1);
        assertThat(ByteLevelEncoding.characterStart(cat, 4)).isEqualTo(1);
        assertThat(ByteLevelEncoding.characterStart(cat, 5)).isEqualTo(5);
        assertThat(ByteLevelEncoding.characterStart(cat, 6)).isEqualTo(6);
        byte[] stray = {0x61, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80};
        assertThat(ByteLevelEncoding.characterStart(stray, 2)).as("no lead byte").isEqualTo(2);
        byte[] cutShort = {(byte) 0xE7, (byte) 0x8C, 0x61, (byte) 0x8C};
        assertThat(ByteLevelEncoding.characterStart(cutShort, 3)).as("lead byte of another sequence").isEqualTo(3);
    }

    @Test
    void aTailStartingAtAWordEndsEachWordWithASpaceAndNothingIsDroppedBelowTheWindow() {
        ClipTokenizer t = reference;
        TokenizedPrompt p = t.encode("a ".repeat(75) + "red cat");
        assertThat(p.truncatedText()).isEqualTo("red cat");
        TokenizedPrompt fits = t.encode("a ".repeat(75));
        assertThat(fits.truncated()).isFalse();
        assertThat(fits.truncatedText()).isEmpty();
    }
}
