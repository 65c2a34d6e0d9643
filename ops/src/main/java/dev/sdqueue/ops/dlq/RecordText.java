package dev.sdqueue.ops.dlq;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** How record bytes are shown to people: pretty JSON, escaped text, or a hex dump; ages; one-line excerpts. */
public final class RecordText {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private RecordText() {
    }

    /** The bytes as UTF-8, if they are valid UTF-8. */
    public static Optional<String> utf8(byte[] bytes) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /** Pretty-printed, if the bytes are one JSON value (at most {@code maxBytes}; larger is not worth indenting). */
    public static Optional<String> prettyJson(byte[] bytes, int maxBytes) {
        if (bytes == null || bytes.length > maxBytes || utf8(bytes).isEmpty()) {
            return Optional.empty();
        }
        try {
            JsonNode tree = JSON.readTree(bytes);
            return tree == null || tree.isMissingNode() ? Optional.empty()
                    : Optional.of(JSON.writeValueAsString(tree));
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    /** A header value: its text when it is printable UTF-8, else {@code hex:...}. */
    public static String headerValue(byte[] value) {
        if (value == null) {
            return "(null)";
        }
        Optional<String> text = utf8(value);
        if (text.isPresent()) {
            boolean plain = text.get().codePoints().noneMatch(c -> c < 0x20 || isControl(c));
            return plain ? text.get() : escaped(text.get(), 500);
        }
        int shown = Math.min(value.length, 64);
        StringBuilder hex = new StringBuilder("hex:");
        for (int i = 0; i < shown; i++) {
            hex.append(HEX[(value[i] >> 4) & 0xf]).append(HEX[value[i] & 0xf]);
        }
        return value.length > shown ? hex + "... (" + value.length + " bytes)" : hex.toString();
    }

    /** Text with control characters escaped ({@code \n}, {@code \u0000}), cut at {@code maxChars}. */
    public static String escaped(String text, int maxChars) {
        StringBuilder out = new StringBuilder();
        int count = 0;
        for (int i = 0; i < text.length() && count < maxChars; count++) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (isControl(c)) {
                        out.append(String.format("\\u%04x", c));
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        }
        int total = text.codePointCount(0, text.length());
        return total > maxChars ? out + "... (" + total + " characters)" : out.toString();
    }

    /** Classic hex dump ({@code offset  hex bytes  |ascii|}) of the first {@code maxBytes}. */
    public static String hexDump(byte[] bytes, int maxBytes) {
        StringBuilder out = new StringBuilder();
        int shown = Math.min(bytes.length, maxBytes);
        for (int row = 0; row < shown; row += 16) {
            out.append(String.format("%08x  ", row));
            StringBuilder ascii = new StringBuilder();
            for (int i = row; i < row + 16; i++) {
                if (i < shown) {
                    int b = bytes[i] & 0xff;
                    out.append(HEX[b >> 4]).append(HEX[b & 0xf]).append(' ');
                    ascii.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
                } else {
                    out.append("   ");
                }
            }
            out.append(" |").append(ascii).append("|\n");
        }
        if (bytes.length > shown) {
            out.append("... ").append(bytes.length - shown).append(" more bytes\n");
        }
        return out.toString();
    }

    /** One line, at most {@code max} characters: for table cells. */
    public static String oneLine(String text, int max) {
        String line = escaped(text.strip().replace('\n', ' ').replace('\r', ' '), max + 1);
        return line.length() <= max ? line : line.substring(0, Math.max(0, max - 3)) + "...";
    }

    /** Compact age: {@code 42s}, {@code 5m}, {@code 3h12m}, {@code 2d4h}. */
    public static String age(Duration age) {
        long s = Math.max(0, age.toSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m";
        }
        if (s < 86_400) {
            long m = (s % 3600) / 60;
            return (s / 3600) + "h" + (m > 0 ? m + "m" : "");
        }
        long h = (s % 86_400) / 3600;
        return (s / 86_400) + "d" + (h > 0 ? h + "h" : "");
    }

    private static boolean isControl(int c) {
        return (c < 0x20 && c != '\n' && c != '\r' && c != '\t') || (c >= 0x7f && c < 0xa0) || c == 0xfffd;
    }
}
