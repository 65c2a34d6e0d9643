package dev.sdqueue.models.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** GPT-2/CLIP {@code bytes_to_unicode}: every byte gets a printable code point, so BPE works on strings. */
public final class ByteLevel {

    private static final char[] BYTE_TO_CHAR = new char[256];
    /** Bytes in CLIP's vocabulary order: the printable ones first, then the remapped rest. */
    private static final List<Integer> BYTE_ORDER = new ArrayList<>();

    static {
        boolean[] printable = new boolean[256];
        for (int b = 0; b < 256; b++) {
            printable[b] = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            if (printable[b]) {
                BYTE_TO_CHAR[b] = (char) b;
                BYTE_ORDER.add(b);
            }
        }
        int next = 0;
        for (int b = 0; b < 256; b++) {
            if (!printable[b]) {
                BYTE_TO_CHAR[b] = (char) (256 + next++);
                BYTE_ORDER.add(b);
            }
        }
    }

    private ByteLevel() {
    }

    /** The 256 byte symbols in vocabulary order (ids 0..255 of a CLIP vocabulary). */
    public static List<String> symbolsInVocabularyOrder() {
        return BYTE_ORDER.stream().map(b -> String.valueOf(BYTE_TO_CHAR[b])).toList();
    }

    /** UTF-8 bytes of {@code text}, each mapped to its symbol. */
    public static String encode(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            out.append(BYTE_TO_CHAR[b & 0xff]);
        }
        return out.toString();
    }
}
