package dev.sdqueue.ops.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RecordTextTest {

    @Test
    void jsonIsIndentedAndAnythingElseIsNot() {
        assertThat(RecordText.prettyJson(bytes("{\"a\":1,\"b\":[true]}"), 1000))
                .hasValueSatisfying(json -> assertThat(json.lines()).contains("  \"a\" : 1,"));
        assertThat(RecordText.prettyJson(bytes("not json"), 1000)).isEmpty();
        assertThat(RecordText.prettyJson(bytes("{\"a\":1} x"), 1000)).isEmpty();
        assertThat(RecordText.prettyJson(bytes("{\"a\":1}"), 3)).as("over the size bound").isEmpty();
        assertThat(RecordText.prettyJson(new byte[] {(byte) 0xff}, 1000)).isEmpty();
    }

    @Test
    void controlCharactersAreEscapedAndLongTextCut() {
        assertThat(RecordText.escaped("a\nb\u0000c\\", 100)).isEqualTo("a\\nb\\u0000c\\\\");
        assertThat(RecordText.escaped("abcdef", 3)).isEqualTo("abc... (6 characters)");
        assertThat(RecordText.escaped("🦊🦊", 1)).as("counts code points").isEqualTo("🦊... (2 characters)");
    }

    @Test
    void headerValuesAreTextWhenPrintableElseEscapedOrHex() {
        assertThat(RecordText.headerValue(bytes("invalid"))).isEqualTo("invalid");
        assertThat(RecordText.headerValue(bytes("two\nlines"))).isEqualTo("two\\nlines");
        assertThat(RecordText.headerValue(new byte[] {(byte) 0xff, 0x01})).isEqualTo("hex:ff01");
        assertThat(RecordText.headerValue(null)).isEqualTo("(null)");
    }

    @Test
    void hexDumpShowsOffsetsBytesAndAscii() {
        byte[] bytes = new byte[20];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (0x41 + i);
        }
        bytes[0] = (byte) 0xff;
        String dump = RecordText.hexDump(bytes, 18);
        assertThat(dump.lines()).containsExactly(
                "00000000  ff 42 43 44 45 46 47 48 49 4a 4b 4c 4d 4e 4f 50  |.BCDEFGHIJKLMNOP|",
                "00000010  51 52                                            |QR|",
                "... 2 more bytes");
    }

    @Test
    void agesAreCompact() {
        assertThat(RecordText.age(Duration.ofSeconds(42))).isEqualTo("42s");
        assertThat(RecordText.age(Duration.ofSeconds(5 * 60 + 59))).isEqualTo("5m");
        assertThat(RecordText.age(Duration.ofMinutes(192))).isEqualTo("3h12m");
        assertThat(RecordText.age(Duration.ofHours(3))).isEqualTo("3h");
        assertThat(RecordText.age(Duration.ofHours(52))).isEqualTo("2d4h");
        assertThat(RecordText.age(Duration.ofSeconds(-5))).as("clock skew").isEqualTo("0s");
    }

    @Test
    void oneLineFlattensAndCuts() {
        assertThat(RecordText.oneLine("  size 4096\nnot allowed ", 100)).isEqualTo("size 4096 not allowed");
        assertThat(RecordText.oneLine("x".repeat(50), 10)).isEqualTo("xxxxxxx...");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
