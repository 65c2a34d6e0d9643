package dev.sdqueue.pipeline.tokenizer;

import java.text.Normalizer;
import java.util.Locale;

/**
 * The text clean-up Hugging Face's {@code CLIPTokenizer} applies when ftfy is not installed:
 * {@code " ".join(BasicTokenizer(strip_accents=False, do_split_on_punc=False).tokenize(text))}.
 * Steps, in order: drop NUL, U+FFFD and control/format/unassigned characters; turn whitespace
 * into spaces; put spaces around CJK ideographs; NFC; split on whitespace; lower-case each word
 * (accents kept); join with single spaces.
 */
final class ClipTextNormalizer {

    private ClipTextNormalizer() {
    }

    public static String normalize(String text) {
        StringBuilder cleaned = new StringBuilder(text.length() + 8);
        text.codePoints().forEach(cp -> {
            if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                return;
            }
            if (isBertWhitespace(cp)) {
                cleaned.append(' ');
            } else if (isCjkIdeograph(cp)) {
                cleaned.append(' ').appendCodePoint(cp).append(' ');
            } else {
                cleaned.appendCodePoint(cp);
            }
        });
        String nfc = Normalizer.normalize(cleaned, Normalizer.Form.NFC);
        StringBuilder out = new StringBuilder(nfc.length());
        int i = 0;
        int n = nfc.length();
        while (i < n) {
            while (i < n && isPythonSpace(nfc.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !isPythonSpace(nfc.charAt(i))) {
                i++;
            }
            if (i > start) {
                if (out.length() > 0) {
                    out.append(' ');
                }
                // Python's str.lower(): full Unicode mapping, locale independent.
                out.append(nfc.substring(start, i).toLowerCase(Locale.ROOT));
            }
        }
        return out.toString();
    }

    /** BasicTokenizer's _is_control: any "C*" category except tab, newline, carriage return. */
    private static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        int type = Character.getType(cp);
        return type == Character.CONTROL || type == Character.FORMAT || type == Character.UNASSIGNED
                || type == Character.PRIVATE_USE || type == Character.SURROGATE;
    }

    /** BasicTokenizer's _is_whitespace: space, \t, \n, \r or category Zs. */
    private static boolean isBertWhitespace(int cp) {
        return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r'
                || Character.getType(cp) == Character.SPACE_SEPARATOR;
    }

    /** Python's str.isspace(), which str.split() uses (only these can survive cleaning). */
    private static boolean isPythonSpace(char c) {
        return c == ' ' || c == '\u2028' || c == '\u2029' || (c >= '\t' && c <= '\r')
                || (c >= '\u001c' && c <= '\u001f') || c == '\u0085'
                || Character.getType(c) == Character.SPACE_SEPARATOR;
    }

    /** BasicTokenizer's _is_chinese_char: the CJK Unified Ideographs blocks (not kana/hangul). */
    private static boolean isCjkIdeograph(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF)
                || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
