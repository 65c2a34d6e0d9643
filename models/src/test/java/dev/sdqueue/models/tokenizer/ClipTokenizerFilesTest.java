package dev.sdqueue.models.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClipTokenizerFilesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private static Map<String, Integer> vocab;
    private static List<String> mergeLines;

    @BeforeAll
    static void writeTokenizer() throws IOException {
        ClipTokenizerFiles.write(ClipTokenizerFiles.builtInVocabulary(486), dir, "test/tokenizer");
        vocab = JSON.readValue(dir.resolve("vocab.json").toFile(), new TypeReference<LinkedHashMap<String, Integer>>() { });
        mergeLines = Files.readAllLines(dir.resolve("merges.txt"), StandardCharsets.UTF_8);
    }

    @Test
    void vocabularyIdsAreContiguousAndSpecialTokensComeLast() {
        assertThat(vocab).hasSize(1000);
        assertThat(new ArrayList<>(vocab.values())).isEqualTo(range(1000));
        assertThat(vocab.get("<|startoftext|>")).isEqualTo(998);
        assertThat(vocab.get("<|endoftext|>")).isEqualTo(999);
    }

    @Test
    void byteSymbolsMatchClipsVocabularyLayout() throws IOException {
        // Independent source: the reference CLIP-format vocabulary (shared reference data).
        String referenceDir = System.getProperty("sdq.reference.dir");
        assumeTrue(referenceDir != null && Files.isDirectory(Path.of(referenceDir, "clip")), "reference data present");
        Map<String, Integer> reference = JSON.readValue(Path.of(referenceDir, "clip", "vocab.json").toFile(),
                new TypeReference<LinkedHashMap<String, Integer>>() { });
        List<String> ours = new ArrayList<>(vocab.keySet()).subList(0, 512);
        List<String> theirs = new ArrayList<>(reference.keySet()).subList(0, 512);
        assertThat(ours).isEqualTo(theirs);
    }

    @Test
    void byteSymbolsFollowBytesToUnicode() {
        List<String> tokens = new ArrayList<>(vocab.keySet());
        // bytes_to_unicode: '!'..'~' keep their code points and come first; byte 0 becomes U+0100.
        assertThat(tokens.subList(0, 94)).isEqualTo(range(94).stream().map(i -> String.valueOf((char) ('!' + i))).toList());
        assertThat(tokens).contains("\u0100", "\u0120"); // NUL and space
        assertThat(tokens.get(256)).isEqualTo("!</w>");
        for (int id = 0; id < 256; id++) {
            assertThat(tokens.get(id).codePointCount(0, tokens.get(id).length())).isEqualTo(1);
            assertThat(tokens.get(256 + id)).isEqualTo(tokens.get(id) + "</w>");
        }
    }

    @Test
    void everyMergeRefersToVocabularyEntriesAndDefinesTheNextId() {
        assertThat(mergeLines.get(0)).isEqualTo("#version: 0.2");
        List<String> merges = mergeLines.subList(1, mergeLines.size());
        assertThat(merges).hasSize(486);
        for (int rank = 0; rank < merges.size(); rank++) {
            String[] parts = merges.get(rank).split(" ");
            assertThat(parts).as("merge line %d", rank).hasSize(2);
            assertThat(vocab).containsKeys(parts[0], parts[1]);
            assertThat(vocab.get(parts[0] + parts[1])).as("token of merge %d", rank).isEqualTo(512 + rank);
            // A merge can only use symbols that exist before it (bytes or earlier merges).
            assertThat(vocab.get(parts[0])).isLessThan(512 + rank);
            assertThat(vocab.get(parts[1])).isLessThan(512 + rank);
        }
    }

    @Test
    void frequentPromptWordsBecomeSingleTokens() {
        for (String word : List.of("red", "green", "blue", "yellow", "white", "black", "orange", "purple", "pink",
                "brown", "gray", "photo", "painting", "portrait", "cat", "dog", "of", "a", "the")) {
            assertThat(bpe(word)).as(word).containsExactly(word + "</w>");
        }
        assertThat(bpe("zebra")).as("unseen word falls back to pieces").hasSizeGreaterThan(1);
    }

    @Test
    void specialTokenFilesNameClipsTokens() throws IOException {
        JsonNode config = JSON.readTree(dir.resolve("tokenizer_config.json").toFile());
        assertThat(config.get("model_max_length").asInt()).isEqualTo(77);
        assertThat(config.get("do_lower_case").asBoolean()).isTrue();
        assertThat(config.get("tokenizer_class").asText()).isEqualTo("CLIPTokenizer");
        assertThat(config.get("bos_token").get("content").asText()).isEqualTo("<|startoftext|>");
        assertThat(config.get("eos_token").get("content").asText()).isEqualTo("<|endoftext|>");
        assertThat(config.get("unk_token").get("content").asText()).isEqualTo("<|endoftext|>");
        assertThat(config.get("pad_token").asText()).isEqualTo("<|endoftext|>");
        assertThat(config.get("name_or_path").asText()).isEqualTo("test/tokenizer");

        JsonNode special = JSON.readTree(dir.resolve("special_tokens_map.json").toFile());
        assertThat(special.get("bos_token").get("content").asText()).isEqualTo("<|startoftext|>");
        assertThat(special.get("eos_token").get("content").asText()).isEqualTo("<|endoftext|>");
        assertThat(special.get("pad_token").asText()).isEqualTo("<|endoftext|>");
    }

    @Test
    void trainingIsDeterministicAndRespectsTheMergeLimit() {
        ClipBpeVocabulary first = ClipBpeVocabulary.train("the red cat sat on the red mat\nthe red dog", 10);
        ClipBpeVocabulary second = ClipBpeVocabulary.train("the red cat sat on the red mat\nthe red dog", 10);
        assertThat(first).isEqualTo(second);
        assertThat(first.merges()).hasSize(10);
        assertThat(first.size()).isEqualTo(512 + 10 + 2);
        // Worked by hand: count-3 pairs are (a,t</w>) (e,d</w>) (h,e</w>) (r,e) (t,h); ties go to the smallest
        // pair; each merge consumes overlapping pairs, leaving (r,ed</w>) and (t,he</w>) at count 3.
        assertThat(first.merges().subList(0, 5)).extracting(ClipBpeVocabulary.Merge::merged)
                .containsExactly("at</w>", "ed</w>", "he</w>", "red</w>", "the</w>");
    }

    /** Textbook BPE of one lower-case ASCII word with our merges (lowest rank first), independent of the trainer. */
    private static List<String> bpe(String word) {
        Map<String, Integer> ranks = new LinkedHashMap<>();
        for (int i = 1; i < mergeLines.size(); i++) {
            ranks.put(mergeLines.get(i), i);
        }
        List<String> symbols = new ArrayList<>();
        for (char c : word.toCharArray()) {
            symbols.add(String.valueOf(c));
        }
        symbols.set(symbols.size() - 1, symbols.get(symbols.size() - 1) + "</w>");
        while (symbols.size() > 1) {
            int best = -1;
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Integer rank = ranks.get(symbols.get(i) + " " + symbols.get(i + 1));
                if (rank != null && rank < bestRank) {
                    best = i;
                    bestRank = rank;
                }
            }
            if (best < 0) {
                break;
            }
            symbols.set(best, symbols.get(best) + symbols.remove(best + 1));
        }
        return symbols;
    }

    private static List<Integer> range(int n) {
        List<Integer> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add(i);
        }
        return values;
    }
}
