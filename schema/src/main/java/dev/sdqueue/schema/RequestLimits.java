package dev.sdqueue.schema;

/**
 * What a deployment accepts. Sizes are pixels and must be multiples of 8 (the VAE's downscale factor); {@code
 * maxPixels} bounds width*height so a tall-and-wide request cannot pass on each side alone.
 */
public record RequestLimits(
        int maxPromptLength,
        int minSize,
        int maxWidth,
        int maxHeight,
        long maxPixels,
        int maxSteps,
        double minGuidance,
        double maxGuidance,
        int maxImages) {

    public static final RequestLimits DEFAULTS = new RequestLimits(2000, 64, 1024, 1024, 1024L * 1024, 150, 0, 30, 4);

    public RequestLimits {
        if (minSize < 8 || minSize % 8 != 0 || maxWidth < minSize || maxHeight < minSize) {
            throw new IllegalArgumentException("sizes must be multiples of 8 with minSize <= max: " + minSize);
        }
        if (maxPromptLength < 1 || maxSteps < 1 || maxImages < 1 || !(minGuidance <= maxGuidance)) {
            throw new IllegalArgumentException("limits must allow at least one value");
        }
    }
}
