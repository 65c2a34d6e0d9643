package dev.sdqueue.models.tokenizer;

import dev.sdqueue.models.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a Hugging Face {@code CLIPTokenizer} folder ({@code vocab.json}, {@code merges.txt},
 * {@code special_tokens_map.json}, {@code tokenizer_config.json}) in the layout of SD 1.5's tokenizer.
 */
public final class ClipTokenizerFiles {

    public static final int MODEL_MAX_LENGTH = 77;
    private static final String CORPUS_RESOURCE = "/dev/sdqueue/models/tokenizer/bpe-corpus.txt";

    private ClipTokenizerFiles() {
    }

    /** The project's own vocabulary, learned from the built-in prompt corpus. */
    public static ClipBpeVocabulary builtInVocabulary(int maxMerges) {
        return ClipBpeVocabulary.train(builtInCorpus(), maxMerges);
    }

    /** The built-in prompt corpus (prompt-like English, one prompt a line, {@code #} lines are comments). */
    public static String builtInCorpus() {
        try (InputStream in = ClipTokenizerFiles.class.getResourceAsStream(CORPUS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + CORPUS_RESOURCE);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code nameOrPath} only fills {@code name_or_path} in {@code tokenizer_config.json}. */
    public static void write(ClipBpeVocabulary vocabulary, Path tokenizerDir, String nameOrPath) throws IOException {
        Files.createDirectories(tokenizerDir);
        Map<String, Object> vocab = new LinkedHashMap<>();
        for (int id = 0; id < vocabulary.size(); id++) {
            if (vocab.put(vocabulary.tokens().get(id), id) != null) {
                throw new IllegalStateException("duplicate token " + vocabulary.tokens().get(id));
            }
        }
        // Compact, like the vocab.json files the Hugging Face hub serves for CLIP.
        writeUtf8(tokenizerDir.resolve("vocab.json"), Json.compact(vocab));

        StringBuilder merges = new StringBuilder("#version: 0.2\n");
        for (ClipBpeVocabulary.Merge merge : vocabulary.merges()) {
            merges.append(merge.left()).append(' ').append(merge.right()).append('\n');
        }
        writeUtf8(tokenizerDir.resolve("merges.txt"), merges.toString());

        Map<String, Object> specialTokens = new LinkedHashMap<>();
        specialTokens.put("bos_token", addedToken(ClipBpeVocabulary.START_OF_TEXT, false));
        specialTokens.put("eos_token", addedToken(ClipBpeVocabulary.END_OF_TEXT, false));
        specialTokens.put("pad_token", ClipBpeVocabulary.END_OF_TEXT);
        specialTokens.put("unk_token", addedToken(ClipBpeVocabulary.END_OF_TEXT, false));
        writeUtf8(tokenizerDir.resolve("special_tokens_map.json"), Json.pretty(specialTokens));

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("add_prefix_space", false);
        config.put("bos_token", addedToken(ClipBpeVocabulary.START_OF_TEXT, true));
        config.put("do_lower_case", true);
        config.put("eos_token", addedToken(ClipBpeVocabulary.END_OF_TEXT, true));
        config.put("errors", "replace");
        config.put("model_max_length", MODEL_MAX_LENGTH);
        config.put("name_or_path", nameOrPath);
        config.put("pad_token", ClipBpeVocabulary.END_OF_TEXT);
        config.put("special_tokens_map_file", "./special_tokens_map.json");
        config.put("tokenizer_class", "CLIPTokenizer");
        config.put("unk_token", addedToken(ClipBpeVocabulary.END_OF_TEXT, true));
        writeUtf8(tokenizerDir.resolve("tokenizer_config.json"), Json.pretty(config));
    }

    /** transformers' serialised AddedToken, as SD 1.5's tokenizer files spell the special tokens. */
    private static Map<String, Object> addedToken(String content, boolean typed) {
        Map<String, Object> token = new LinkedHashMap<>();
        if (typed) {
            token.put("__type", "AddedToken");
        }
        token.put("content", content);
        token.put("lstrip", false);
        token.put("normalized", true);
        token.put("rstrip", false);
        token.put("single_word", false);
        return token;
    }

    private static void writeUtf8(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
