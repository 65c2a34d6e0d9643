package dev.sdqueue.models.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CLIP-format byte-level BPE vocabulary: ids 0-255 the byte symbols, 256-511 the same with {@code </w>},
 * then one token per merge (in merge order), then {@code <|startoftext|>} and {@code <|endoftext|>}.
 * This is exactly how CLIP's {@code SimpleTokenizer} derives its vocabulary from its merges.
 */
public record ClipBpeVocabulary(List<String> tokens, List<Merge> merges) {

    public static final String START_OF_TEXT = "<|startoftext|>";
    public static final String END_OF_TEXT = "<|endoftext|>";
    public static final String END_OF_WORD = "</w>";

    /** CLIP's pre-tokenizer pattern (applied to lower-cased text). */
    private static final Pattern WORDS = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
            Pattern.CASE_INSENSITIVE);

    /** One merge rule: the two adjacent symbols {@code left right} become {@code left + right}. */
    public record Merge(String left, String right) {
        public String merged() {
            return left + right;
        }
    }

    public ClipBpeVocabulary {
        tokens = List.copyOf(tokens);
        merges = List.copyOf(merges);
    }

    public int size() {
        return tokens.size();
    }

    public int startOfTextId() {
        return tokens.size() - 2;
    }

    public int endOfTextId() {
        return tokens.size() - 1;
    }

    /**
     * Learns up to {@code maxMerges} merges from {@code corpus} (classic BPE: repeatedly merge the most
     * frequent adjacent pair; ties go to the lexicographically smallest pair, so training is deterministic).
     * A pair whose concatenation is already a token is skipped, which keeps every token unique and the ids
     * contiguous.
     */
    public static ClipBpeVocabulary train(String corpus, int maxMerges) {
        List<Word> words = countWords(corpus);
        List<String> tokens = new ArrayList<>(ByteLevel.symbolsInVocabularyOrder());
        for (String symbol : ByteLevel.symbolsInVocabularyOrder()) {
            tokens.add(symbol + END_OF_WORD);
        }
        Set<String> known = new HashSet<>(tokens);
        List<Merge> merges = new ArrayList<>();
        while (merges.size() < maxMerges) {
            Merge best = mostFrequentPair(words, known);
            if (best == null) {
                break;
            }
            merges.add(best);
            tokens.add(best.merged());
            known.add(best.merged());
            for (Word word : words) {
                word.apply(best);
            }
        }
        tokens.add(START_OF_TEXT);
        tokens.add(END_OF_TEXT);
        return new ClipBpeVocabulary(tokens, merges);
    }

    private static List<Word> countWords(String corpus) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String line : corpus.split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            Matcher matcher = WORDS.matcher(line.toLowerCase(Locale.ROOT).strip());
            while (matcher.find()) {
                counts.merge(ByteLevel.encode(matcher.group()), 1, Integer::sum);
            }
        }
        List<Word> words = new ArrayList<>();
        counts.forEach((word, count) -> words.add(Word.of(word, count)));
        return words;
    }

    private static Merge mostFrequentPair(List<Word> words, Set<String> known) {
        Map<Merge, Long> pairCounts = new HashMap<>();
        for (Word word : words) {
            for (int i = 0; i + 1 < word.symbols.size(); i++) {
                pairCounts.merge(new Merge(word.symbols.get(i), word.symbols.get(i + 1)), (long) word.count, Long::sum);
            }
        }
        Merge best = null;
        long bestCount = 0;
        for (Map.Entry<Merge, Long> entry : pairCounts.entrySet()) {
            Merge pair = entry.getKey();
            long count = entry.getValue();
            if (known.contains(pair.merged())) {
                continue;
            }
            if (count > bestCount || (count == bestCount && compare(pair, best) < 0)) {
                best = pair;
                bestCount = count;
            }
        }
        return best;
    }

    private static int compare(Merge a, Merge b) {
        int byLeft = a.left().compareTo(b.left());
        return byLeft != 0 ? byLeft : a.right().compareTo(b.right());
    }

    /** A corpus word as its current symbols; the last symbol carries {@code </w>}. */
    private static final class Word {
        private final List<String> symbols;
        private final int count;

        private Word(List<String> symbols, int count) {
            this.symbols = symbols;
            this.count = count;
        }

        static Word of(String encoded, int count) {
            List<String> symbols = new ArrayList<>();
            encoded.codePoints().forEach(cp -> symbols.add(new String(Character.toChars(cp))));
            int last = symbols.size() - 1;
            symbols.set(last, symbols.get(last) + END_OF_WORD);
            return new Word(symbols, count);
        }

        void apply(Merge merge) {
            for (int i = 0; i + 1 < symbols.size(); i++) {
                if (symbols.get(i).equals(merge.left()) && symbols.get(i + 1).equals(merge.right())) {
                    symbols.set(i, merge.merged());
                    symbols.remove(i + 1);
                }
            }
        }
    }
}
