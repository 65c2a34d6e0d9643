package dev.sdqueue.pipeline.tokenizer;

import dev.sdqueue.pipeline.ReferenceData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Loading a tokenizer folder the way SD exports ship it, and the SD 2.x "!" pad token. */
class ClipTokenizerTest {

    @TempDir
    Path dir;

    private void copyVocab() throws IOException {
        Files.copy(ReferenceData.file("clip/vocab.json"), dir.resolve("vocab.json"));
        Files.copy(ReferenceData.file("clip/merges.txt"), dir.resolve("merges.txt"));
    }

    @Test
    void withoutConfigFilesItPadsWithEosLikeSd1() throws IOException {
        copyVocab();
        ClipTokenizer t = ClipTokenizer.load(dir);
        assertThat(t.padToken()).isEqualTo(ClipTokenizer.EOS);
        assertThat(t.maxLength()).isEqualTo(77);
        int[] ids = t.encode("a cat").inputIds();
        assertThat(ids[ids.length - 1]).isEqualTo(t.eosId());
    }

    @Test
    void sd2SpecialTokensMapMakesBangThePadAndItsOwnToken() throws IOException {
        copyVocab();
        Files.writeString(dir.resolve("special_tokens_map.json"), """
                {"bos_token": {"content": "<|startoftext|>"}, "eos_token": {"content": "<|endoftext|>"},
                 "pad_token": "!", "unk_token": {"content": "<|endoftext|>"}}""");
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"model_max_length": 77, "pad_token": "<|endoftext|>"}""");
        ClipTokenizer sd2 = ClipTokenizer.load(dir);
        assertThat(sd2.padToken()).isEqualTo("!");
        assertThat(sd2.padId()).isZero();
        TokenizedPrompt p = sd2.encode("wow!!");
        assertThat(p.inputIds()[p.tokenCount()]).isZero();
        // "!" is split out before BPE, so each one becomes the bare "!" token (id 0).
        assertThat(sd2.tokenize("wow!!")).endsWith("!", "!");
        ClipTokenizer sd1 = ClipTokenizer.fromFiles(dir.resolve("vocab.json"), dir.resolve("merges.txt"),
                ClipTokenizer.EOS, 77);
        List<String> sd1Tokens = sd1.tokenize("wow!!");
        assertThat(sd1Tokens.get(sd1Tokens.size() - 1)).endsWith("</w>");
    }

    @Test
    void hugeModelMaxLengthIsIgnored() throws IOException {
        copyVocab();
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"model_max_length\": 1e30}");
        assertThat(ClipTokenizer.load(dir).maxLength()).isEqualTo(77);
    }

    @Test
    void decodeInvertsTokenizationUpToNormalisation() throws IOException {
        copyVocab();
        ClipTokenizer t = ClipTokenizer.load(dir);
        int[] ids = t.encodeUnpadded("Café au LAIT, 2 cups");
        assertThat(t.decode(java.util.Arrays.copyOfRange(ids, 1, ids.length - 1))).isEqualTo("café au lait , 2 cups");
    }
}
