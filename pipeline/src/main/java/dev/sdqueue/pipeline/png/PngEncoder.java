package dev.sdqueue.pipeline.png;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Minimal deterministic PNG writer: 8-bit RGB, no interlace, per-row adaptive filter (minimum sum
 * of absolute differences, as libpng's heuristic), zlib via {@link Deflater}. Text entries go into
 * {@code tEXt} chunks when Latin-1 encodable, else uncompressed UTF-8 {@code iTXt} (what PIL does).
 * Same pixels and text give the same bytes; no timestamps or other varying chunks are written.
 */
public final class PngEncoder {

    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final int COMPRESSION_LEVEL = 6;

    private PngEncoder() {
    }

    /**
     * @param rgb  width*height*3 bytes, row-major, R G B per pixel
     * @param text keyword → text, written in iteration order (use a LinkedHashMap)
     */
    public static byte[] encodeRgb(int width, int height, byte[] rgb, Map<String, String> text) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException("expected " + (long) width * height * 3 + " RGB bytes, got " + rgb.length);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(rgb.length / 2 + 1024);
        out.writeBytes(SIGNATURE);
        byte[] ihdr = new byte[13];
        putInt(ihdr, 0, width);
        putInt(ihdr, 4, height);
        ihdr[8] = 8;  // bit depth
        ihdr[9] = 2;  // colour type: truecolour
        ihdr[10] = 0; // deflate
        ihdr[11] = 0; // adaptive filtering
        ihdr[12] = 0; // no interlace
        chunk(out, "IHDR", ihdr);
        for (Map.Entry<String, String> e : text.entrySet()) {
            textChunk(out, e.getKey(), e.getValue());
        }
        chunk(out, "IDAT", compress(filter(width, height, rgb)));
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static byte[] filter(int width, int height, byte[] rgb) {
        int stride = width * 3;
        byte[] filtered = new byte[height * (stride + 1)];
        byte[][] candidates = new byte[5][stride];
        for (int y = 0; y < height; y++) {
            int row = y * stride;
            int prev = row - stride;
            int bestType = 0;
            long bestScore = Long.MAX_VALUE;
            for (int type = 0; type < 5; type++) {
                byte[] c = candidates[type];
                long score = 0;
                for (int i = 0; i < stride; i++) {
                    int x = rgb[row + i] & 0xFF;
                    int a = i >= 3 ? rgb[row + i - 3] & 0xFF : 0;
                    int b = y > 0 ? rgb[prev + i] & 0xFF : 0;
                    int cc = y > 0 && i >= 3 ? rgb[prev + i - 3] & 0xFF : 0;
                    int v = switch (type) {
                        case 0 -> x;
                        case 1 -> x - a;
                        case 2 -> x - b;
                        case 3 -> x - ((a + b) >>> 1);
                        default -> x - paeth(a, b, cc);
                    };
                    c[i] = (byte) v;
                    score += Math.abs((int) (byte) v);
                }
                if (score < bestScore) {
                    bestScore = score;
                    bestType = type;
                }
            }
            int dst = y * (stride + 1);
            filtered[dst] = (byte) bestType;
            System.arraycopy(candidates[bestType], 0, filtered, dst + 1, stride);
        }
        return filtered;
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        if (pa <= pb && pa <= pc) {
            return a;
        }
        return pb <= pc ? b : c;
    }

    private static byte[] compress(byte[] data) {
        Deflater deflater = new Deflater(COMPRESSION_LEVEL);
        try {
            deflater.setInput(data);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 64);
            byte[] buf = new byte[64 * 1024];
            while (!deflater.finished()) {
                int n = deflater.deflate(buf);
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static void textChunk(ByteArrayOutputStream out, String keyword, String text) {
        CharsetEncoder latin1 = StandardCharsets.ISO_8859_1.newEncoder();
        if (keyword.isEmpty() || keyword.length() > 79 || !latin1.canEncode(keyword)) {
            throw new IllegalArgumentException("PNG text keyword must be 1-79 Latin-1 characters: '" + keyword + "'");
        }
        byte[] key = keyword.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(key);
        body.write(0);
        if (latin1.canEncode(text)) {
            body.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
            chunk(out, "tEXt", body.toByteArray());
        } else {
            body.write(0); // compression flag: uncompressed
            body.write(0); // compression method
            body.write(0); // empty language tag
            body.write(0); // empty translated keyword
            body.writeBytes(text.getBytes(StandardCharsets.UTF_8));
            chunk(out, "iTXt", body.toByteArray());
        }
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] len = new byte[4];
        putInt(len, 0, data.length);
        out.writeBytes(len);
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(typeBytes);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(data);
        byte[] c = new byte[4];
        putInt(c, 0, (int) crc.getValue());
        out.writeBytes(c);
    }

    private static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }
}
