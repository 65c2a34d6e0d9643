package dev.sdqueue.pipeline.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;

/**
 * GPT-2/CLIP "bytes_to_unicode": every byte maps to a printable character so BPE works on
 * strings without whitespace or control characters. Printable Latin-1 bytes map to themselves,
 * the other 68 bytes to U+0100 onwards in byte order.
 */
final class ByteLevelEncoding {

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        boolean[] direct = new boolean[256];
        for (int b = '!'; b <= '~'; b++) {
            direct[b] = true;
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            direct[b] = true;
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            direct[b] = true;
        }
        int next = 0;
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        for (int b = 0; b < 256; b++) {
            char c = direct[b] ? (char) b : (char) (256 + next++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevelEncoding() {
    }

    /** UTF-8 bytes of {@code text}, each replaced by its printable stand-in character. */
    static String encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(out);
    }

    /** Inverse of {@link #encode}; invalid UTF-8 becomes U+FFFD like Python's errors="replace". */
    static String decode(CharSequence symbols) {
        return decodeUtf8(toBytes(symbols), 0);
    }

    /**
     * The bytes {@code symbols} stand for, one per byte symbol; a character that is not a byte symbol (which
     * {@link #encode} never produces) keeps its own UTF-8 form.
     */
    static byte[] toBytes(CharSequence symbols) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(symbols.length());
        for (int i = 0; i < symbols.length(); i++) {
            char c = symbols.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b >= 0) {
                bytes.write(b);
            } else {
                byte[] raw = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(raw, 0, raw.length);
            }
        }
        return bytes.toByteArray();
    }

    /**
     * {@code bytes} from {@code from} on, decoded as UTF-8 in one go (so a character spread over several tokens
     * comes out whole); invalid UTF-8 becomes U+FFFD like Python's errors="replace".
     */
    static String decodeUtf8(byte[] bytes, int from) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try {
            return decoder.decode(ByteBuffer.wrap(bytes, from, bytes.length - from)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("unreachable with REPLACE", e);
        }
    }

    /**
     * Where the UTF-8 character holding {@code bytes[index]} starts: {@code index} itself unless it is a
     * continuation byte of a well-formed sequence that starts at most 3 bytes earlier. {@code bytes.length} for
     * {@code index == bytes.length}.
     */
    static int characterStart(byte[] bytes, int index) {
        if (index <= 0 || index >= bytes.length || !isContinuation(bytes[index])) {
            return index;
        }
        int start = index - 1;
        while (start > 0 && index - start < 3 && isContinuation(bytes[start])) {
            start--;
        }
        int lead = bytes[start] & 0xFF;
        int length = lead >= 0xF0 && lead <= 0xF4 ? 4 : lead >= 0xE0 && lead < 0xF0 ? 3 : lead >= 0xC2 && lead < 0xE0 ? 2 : 0;
        for (int i = start + 1; i < start + length; i++) {
            if (i >= bytes.length || !isContinuation(bytes[i])) {
                return index; // not a well-formed character around the cut: leave it to U+FFFD
            }
        }
        return index < start + length ? start : index;
    }

    private static boolean isContinuation(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
