package dev.sdqueue.pipeline;

import dev.sdqueue.pipeline.png.PngEncoder;
import java.util.Map;

/**
 * One image as the VAE produced it, before PNG encoding: lets a caller encode (and store) it on another thread
 * while the model already runs the next job.
 *
 * @param index  position in the request (0-based)
 * @param seed   the seed that reproduces this image alone (request seed + index)
 * @param width  pixels
 * @param height pixels
 * @param rgb    interleaved 8-bit RGB, row-major; owned by this record (not copied: it is large and never shared)
 * @param text   PNG text chunks to write (the generation parameters)
 */
public record DecodedImage(int index, long seed, int width, int height, byte[] rgb, Map<String, String> text) {

    public DecodedImage {
        if (rgb.length != width * height * 3) {
            throw new IllegalArgumentException("rgb holds " + rgb.length + " bytes, not " + width + "x" + height + "x3");
        }
        text = Map.copyOf(text);
    }

    /** The PNG file: the same bytes {@link StableDiffusionPipeline#generate} would have produced. */
    public byte[] encodePng() {
        return PngEncoder.encodeRgb(width, height, rgb, text);
    }
}
