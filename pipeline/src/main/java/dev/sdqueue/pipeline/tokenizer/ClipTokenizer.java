package dev.sdqueue.pipeline.tokenizer;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pure-Java port of Hugging Face's slow {@code CLIPTokenizer} (the no-ftfy path), as Stable
 * Diffusion's text encoders expect: special tokens split out first, {@link ClipTextNormalizer},
 * CLIP's regex pre-tokenization, byte-level symbols, BPE with {@code </w>} word ends, then
 * {@code [BOS] content [EOS] pad...} truncated/padded to {@link #maxLength()}.
 *
 * <p>Instances are immutable apart from a bounded BPE cache and are safe to share between threads.
 */
public final class ClipTokenizer {

    public static final String BOS = "<|startoftext|>";
    public static final String EOS = "<|endoftext|>";
    public static final int DEFAULT_MAX_LENGTH = 77;

    /** CLIP's pre-tokenization pattern (applied to normalized, lower-cased text). */
    private static final Pattern WORDS = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);
    /** CLIP's merges.txt reader keeps at most this many merges (49152 - 256 - 2). */
    private static final int MAX_MERGES = 49152 - 256 - 2;
    private static final int CACHE_LIMIT = 20_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Integer> encoder;
    private final Map<Integer, String> decoder;
    private final Map<String, Integer> mergeRanks;
    private final int maxLength;
    private final int bosId;
    private final int eosId;
    private final int padId;
    private final String padToken;
    /** Added tokens the raw text is split on before normalization (longest first). */
    private final List<String> splitTokens;
    private final Map<String, String[]> cache = new ConcurrentHashMap<>();

    private ClipTokenizer(Map<String, Integer> vocab, List<String> merges, String padToken, int maxLength) {
        if (maxLength < 3) {
            throw new IllegalArgumentException("maxLength must be >= 3, got " + maxLength);
        }
        this.encoder = Map.copyOf(vocab);
        Map<Integer, String> dec = new HashMap<>();
        vocab.forEach((token, id) -> dec.put(id, token));
        this.decoder = Map.copyOf(dec);
        Map<String, Integer> ranks = new HashMap<>();
        for (int i = 0; i < merges.size() && i < MAX_MERGES; i++) {
            // A repeated merge keeps its last rank, like CLIPTokenizer's dict(zip(merges, range(...))).
            ranks.put(merges.get(i), i);
        }
        this.mergeRanks = Map.copyOf(ranks);
        this.maxLength = maxLength;
        this.bosId = requireId(BOS);
        this.eosId = requireId(EOS);
        this.padToken = padToken;
        this.padId = requireId(padToken);
        Set<String> split = new LinkedHashSet<>(List.of(BOS, EOS, padToken));
        List<String> ordered = new ArrayList<>(split);
        ordered.sort((a, b) -> Integer.compare(b.length(), a.length()));
        this.splitTokens = List.copyOf(ordered);
    }

    /**
     * Loads {@code vocab.json}, {@code merges.txt} and, when present, the pad token and
     * {@code model_max_length} from {@code special_tokens_map.json} / {@code tokenizer_config.json}.
     */
    public static ClipTokenizer load(Path tokenizerDir) {
        String pad = EOS;
        int maxLength = DEFAULT_MAX_LENGTH;
        Path config = tokenizerDir.resolve("tokenizer_config.json");
        Path specials = tokenizerDir.resolve("special_tokens_map.json");
        try {
            if (Files.isRegularFile(config)) {
                JsonNode node = JSON.readTree(config.toFile());
                pad = tokenText(node.get("pad_token"), pad);
                JsonNode max = node.get("model_max_length");
                // Some exports write 1e30 ("unlimited"); only a real CLIP context length counts.
                if (max != null && max.isNumber() && max.asDouble() >= 3 && max.asDouble() <= 1024) {
                    maxLength = max.asInt();
                }
            }
            if (Files.isRegularFile(specials)) {
                pad = tokenText(JSON.readTree(specials.toFile()).get("pad_token"), pad);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer config in " + tokenizerDir + ": " + e.getMessage(), e);
        }
        return fromFiles(tokenizerDir.resolve("vocab.json"), tokenizerDir.resolve("merges.txt"), pad, maxLength);
    }

    /** Builds a tokenizer from explicit files; {@code padToken} is e.g. {@link #EOS} (SD 1.x) or "!" (SD 2.x). */
    public static ClipTokenizer fromFiles(Path vocabJson, Path mergesTxt, String padToken, int maxLength) {
        Map<String, Integer> vocab;
        List<String> merges = new ArrayList<>();
        try {
            vocab = JSON.readValue(vocabJson.toFile(), new TypeReference<Map<String, Integer>>() { });
            List<String> lines = Files.readAllLines(mergesTxt, StandardCharsets.UTF_8);
            // Line 0 is the "#version" header, as in CLIPTokenizer.
            for (int i = 1; i < lines.size(); i++) {
                String[] pair = lines.get(i).trim().split("\\s+");
                if (pair.length == 2) {
                    merges.add(pair[0] + ' ' + pair[1]);
                }
            }
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("tokenizer file missing: " + e.getFile(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read tokenizer files " + vocabJson + ", " + mergesTxt
                    + ": " + e.getMessage(), e);
        }
        return new ClipTokenizer(vocab, merges, padToken, maxLength);
    }

    public int maxLength() {
        return maxLength;
    }

    public int bosId() {
        return bosId;
    }

    public int eosId() {
        return eosId;
    }

    public int padId() {
        return padId;
    }

    public String padToken() {
        return padToken;
    }

    public int vocabSize() {
        return encoder.size();
    }

    /**
     * Tokenizes, truncates to {@code maxLength - 2} content tokens and pads to {@code maxLength}. The dropped
     * tokens' text is decoded from their bytes together; a character the cut falls inside is reported whole at the
     * start of that text, never as U+FFFD (how and why: {@code droppedText}).
     */
    public TokenizedPrompt encode(String text) {
        List<String> tokens = tokenize(text);
        int room = maxLength - 2;
        boolean truncated = tokens.size() > room;
        List<String> kept = truncated ? tokens.subList(0, room) : tokens;
        int[] ids = new int[maxLength];
        int n = 0;
        ids[n++] = bosId;
        for (String token : kept) {
            ids[n++] = idOf(token);
        }
        ids[n++] = eosId;
        int tokenCount = n;
        while (n < maxLength) {
            ids[n++] = padId;
        }
        String dropped = truncated ? droppedText(tokens, room) : "";
        return new TokenizedPrompt(ids, tokenCount, truncated, dropped);
    }

    /**
     * The text of {@code tokens} from index {@code cut} on, decoded from bytes as Hugging Face's byte-level decoder
     * does ({@code CLIPTokenizer.convert_tokens_to_string}): the byte symbols of the dropped tokens are concatenated,
     * mapped back to bytes and decoded as UTF-8 once over the whole sequence, then each {@code </w>} end-of-word
     * marker becomes a space and the ends are stripped. So a character whose bytes BPE spread over several dropped
     * tokens (a CJK character or an emoji is 3 or 4 single-byte tokens when the vocabulary has no merge for it)
     * comes out whole.
     *
     * <p>The cut itself may fall inside a character: the window keeps its first bytes, the tail gets the rest.
     * Hugging Face would decode that tail with {@code errors="replace"} and start it with U+FFFD. Here such a
     * character is reported <em>whole at the start of the tail</em> instead (its leading bytes are taken back from
     * the kept tokens): the text encoder did not see the character as such, and the report names it rather than
     * a replacement mark. The tail then overlaps the window by that one character; at a character boundary it is
     * exactly what {@link #decode} gives for the dropped ids. U+FFFD remains only for bytes that are not UTF-8 at
     * all, which a prompt's own tokens never are.
     */
    private static String droppedText(List<String> tokens, int cut) {
        int keptBytes = ByteLevelEncoding.toBytes(String.join("", tokens.subList(0, cut))).length;
        byte[] bytes = ByteLevelEncoding.toBytes(String.join("", tokens));
        int from = ByteLevelEncoding.characterStart(bytes, keptBytes);
        return ByteLevelEncoding.decodeUtf8(bytes, from).replace("</w>", " ").strip();
    }

    /** Ids of {@code text} with BOS and EOS, without truncation or padding. */
    public int[] encodeUnpadded(String text) {
        List<String> tokens = tokenize(text);
        int[] ids = new int[tokens.size() + 2];
        ids[0] = bosId;
        for (int i = 0; i < tokens.size(); i++) {
            ids[i + 1] = idOf(tokens.get(i));
        }
        ids[ids.length - 1] = eosId;
        return ids;
    }

    /** BPE tokens of {@code text} (no BOS/EOS), e.g. {@code ["a</w>", "cat</w>"]}. */
    public List<String> tokenize(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < text.length()) {
            String special = specialAt(text, i);
            if (special == null) {
                i++;
                continue;
            }
            tokenizeChunk(text.substring(start, i), out);
            out.add(special);
            i += special.length();
            start = i;
        }
        tokenizeChunk(text.substring(start), out);
        return out;
    }

    /** Decodes ids back to text like {@code CLIPTokenizer.decode}: word ends become spaces. */
    public String decode(int[] ids) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            String token = decoder.get(id);
            if (token != null) {
                tokens.add(token);
            }
        }
        return decodeTokens(tokens);
    }

    /** Like {@code CLIPTokenizer.convert_tokens_to_string}: bytes decoded once, then word ends become spaces. */
    private static String decodeTokens(List<String> tokens) {
        return ByteLevelEncoding.decode(String.join("", tokens)).replace("</w>", " ").strip();
    }

    private String specialAt(String text, int index) {
        for (String token : splitTokens) {
            if (text.startsWith(token, index)) {
                return token;
            }
        }
        return null;
    }

    private void tokenizeChunk(String chunk, List<String> out) {
        if (chunk.isEmpty()) {
            return;
        }
        Matcher m = WORDS.matcher(ClipTextNormalizer.normalize(chunk));
        while (m.find()) {
            Collections.addAll(out, bpe(ByteLevelEncoding.encode(m.group())));
        }
    }

    private int idOf(String token) {
        Integer id = encoder.get(token);
        // Unknown pieces map to the unk token, which is <|endoftext|> for CLIP.
        return id != null ? id : eosId;
    }

    private int requireId(String token) {
        Integer id = encoder.get(token);
        if (id == null) {
            throw new IllegalArgumentException("tokenizer vocabulary has no entry for '" + token + "'");
        }
        return id;
    }

    /** Byte-pair encoding of one pre-token (already byte-level encoded). */
    String[] bpe(String token) {
        if (token.equals(BOS) || token.equals(EOS)) {
            return new String[] {token};
        }
        String[] cached = cache.get(token);
        if (cached != null) {
            return cached;
        }
        List<String> word = new ArrayList<>(token.length());
        for (int i = 0; i < token.length() - 1; i++) {
            word.add(String.valueOf(token.charAt(i)));
        }
        word.add(token.charAt(token.length() - 1) + "</w>");
        while (word.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            String bestFirst = null;
            String bestSecond = null;
            for (int i = 0; i < word.size() - 1; i++) {
                Integer rank = mergeRanks.get(word.get(i) + ' ' + word.get(i + 1));
                if (rank != null && rank < bestRank) {
                    bestRank = rank;
                    bestFirst = word.get(i);
                    bestSecond = word.get(i + 1);
                }
            }
            if (bestFirst == null) {
                break;
            }
            // Merge every non-overlapping occurrence left to right, as CLIP's bpe() does.
            List<String> merged = new ArrayList<>(word.size());
            int i = 0;
            while (i < word.size()) {
                if (i < word.size() - 1 && word.get(i).equals(bestFirst) && word.get(i + 1).equals(bestSecond)) {
                    merged.add(bestFirst + bestSecond);
                    i += 2;
                } else {
                    merged.add(word.get(i));
                    i++;
                }
            }
            word = merged;
        }
        String[] result = word.toArray(new String[0]);
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear();
        }
        cache.put(token, result);
        return result;
    }

    private static String tokenText(JsonNode node, String fallback) {
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        JsonNode content = node.get("content");
        return content != null && content.isTextual() ? content.asText() : fallback;
    }
}
