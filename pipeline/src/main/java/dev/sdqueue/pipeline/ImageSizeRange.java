package dev.sdqueue.pipeline;

/**
 * The image sizes (pixels) a TensorRT engine is built for: requests between min and max run on the
 * same engine; TensorRT tunes its kernels for opt. Multiples of 8, as requests are; latent sizes are these / 8.
 */
public record ImageSizeRange(int minWidth, int minHeight, int optWidth, int optHeight, int maxWidth, int maxHeight) {

    /** The request limits' and defaults' values of the contract: 64..1024, tuned for 512x512. */
    public static final ImageSizeRange DEFAULT = new ImageSizeRange(64, 64, 512, 512, 1024, 1024);

    public ImageSizeRange {
        check("width", minWidth, optWidth, maxWidth);
        check("height", minHeight, optHeight, maxHeight);
    }

    private static void check(String axis, int min, int opt, int max) {
        if (min < 8 || !(min <= opt && opt <= max) || min % 8 != 0 || opt % 8 != 0 || max % 8 != 0) {
            throw new IllegalArgumentException("image " + axis + " range must be multiples of 8 with 8 <= min <= opt <= max,"
                    + " got min " + min + ", opt " + opt + ", max " + max);
        }
    }

    /** Latent height [min, opt, max]. */
    public int[] latentHeights() {
        return new int[] {minHeight / 8, optHeight / 8, maxHeight / 8};
    }

    /** Latent width [min, opt, max]. */
    public int[] latentWidths() {
        return new int[] {minWidth / 8, optWidth / 8, maxWidth / 8};
    }
}
