package dev.sdqueue.pipeline.png;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PngEncoderTest {

    private static byte[] pixels(int w, int h, long seed) {
        byte[] rgb = new byte[w * h * 3];
        SplittableRandom r = new SplittableRandom(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                // gradients plus noise so every filter type gets chosen somewhere
                rgb[i] = (byte) (x * 255 / Math.max(1, w - 1));
                rgb[i + 1] = (byte) (y * 255 / Math.max(1, h - 1));
                rgb[i + 2] = (byte) r.nextInt(256);
            }
        }
        return rgb;
    }

    @Test
    void decodesWithImageIoToTheSamePixels() throws IOException {
        int w = 37;
        int h = 19;
        byte[] rgb = pixels(w, h, 7);
        byte[] png = PngEncoder.encodeRgb(w, h, rgb, Map.of());
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(img.getWidth()).isEqualTo(w);
        assertThat(img.getHeight()).isEqualTo(h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                int expected = ((rgb[i] & 0xFF) << 16) | ((rgb[i + 1] & 0xFF) << 8) | (rgb[i + 2] & 0xFF);
                assertThat(img.getRGB(x, y) & 0xFFFFFF).as("pixel %d,%d", x, y).isEqualTo(expected);
            }
        }
    }

    @Test
    void textChunksReadBackLatin1AsTextAndUnicodeAsItxt() throws IOException {
        Map<String, String> text = new LinkedHashMap<>();
        text.put("parameters", "a café\nNegative prompt: blurry\nSteps: 20, Seed: 42");
        text.put("prompt", "一只猫 🐱");
        byte[] png = PngEncoder.encodeRgb(8, 8, pixels(8, 8, 1), text);
        Map<String, String> read = PngTextReader.readText(png);
        assertThat(read).containsEntry("parameters", text.get("parameters")).containsEntry("prompt", text.get("prompt"));
        assertThat(new String(png, java.nio.charset.StandardCharsets.ISO_8859_1)).contains("tEXtparameters").contains("iTXtprompt");
    }

    @Test
    void identicalInputsGiveIdenticalBytesAndDifferentPixelsDiffer() {
        Map<String, String> text = Map.of("parameters", "x");
        byte[] a = PngEncoder.encodeRgb(64, 48, pixels(64, 48, 3), text);
        byte[] b = PngEncoder.encodeRgb(64, 48, pixels(64, 48, 3), text);
        byte[] c = PngEncoder.encodeRgb(64, 48, pixels(64, 48, 4), text);
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
    }

    @Test
    void rejectsWrongBufferSizeAndBadKeywords() {
        assertThatThrownBy(() -> PngEncoder.encodeRgb(2, 2, new byte[11], Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("12");
        assertThatThrownBy(() -> PngEncoder.encodeRgb(1, 1, new byte[3], Map.of("", "x")))
                .isInstanceOf(IllegalArgumentException.class);
    }

}
