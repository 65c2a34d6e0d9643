package dev.sdqueue.pipeline;

import java.util.Locale;

/**
 * The "parameters" text stored in each PNG, in the widely read AUTOMATIC1111 layout:
 * <pre>
 * a cat in a hat
 * Negative prompt: blurry
 * Steps: 20, Sampler: euler_a, CFG scale: 7.5, Seed: 42, Size: 512x512, Model: tiny-random
 * </pre>
 * The negative line is omitted when there is no negative prompt. Steps is the requested count.
 */
public final class ImageMetadata {

    private ImageMetadata() {
    }

    public static String parameters(GenerationParams p, long seed, String scheduler, String model) {
        StringBuilder sb = new StringBuilder(p.prompt());
        if (!p.effectiveNegativePrompt().isEmpty()) {
            sb.append("\nNegative prompt: ").append(p.effectiveNegativePrompt());
        }
        sb.append("\nSteps: ").append(p.steps())
                .append(", Sampler: ").append(scheduler)
                .append(", CFG scale: ").append(formatScale(p.guidanceScale()))
                .append(", Seed: ").append(seed)
                .append(", Size: ").append(p.width()).append('x').append(p.height())
                .append(", Model: ").append(model);
        return sb.toString();
    }

    private static String formatScale(double g) {
        // 7.5 -> "7.5", 7.0 -> "7.0": stable, locale independent
        return g == Math.rint(g) ? String.format(Locale.ROOT, "%.1f", g) : Double.toString(g);
    }
}
