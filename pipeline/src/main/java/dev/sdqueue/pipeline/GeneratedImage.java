package dev.sdqueue.pipeline;

/**
 * One PNG of a generation.
 *
 * @param index  position in the batch (0-based)
 * @param seed   the seed that reproduces this image alone (request seed + index)
 * @param width  pixels
 * @param height pixels
 * @param png    the encoded file, with the generation parameters in a "parameters" text chunk
 */
public record GeneratedImage(int index, long seed, int width, int height, byte[] png) {

    public static final String CONTENT_TYPE = "image/png";

    public GeneratedImage {
        png = png.clone();
    }

    @Override
    public byte[] png() {
        return png.clone();
    }

    public String contentType() {
        return CONTENT_TYPE;
    }
}
