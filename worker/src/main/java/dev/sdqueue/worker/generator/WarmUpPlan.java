package dev.sdqueue.worker.generator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The shapes warmed up before the worker consumes: every configured size at every configured batch, so the
 * first job of any of them finds its kernels chosen, its memory arenas grown and (TensorRT) its engine built.
 */
final class WarmUpPlan {

    /** One warm-up run: a {@code width}x{@code height} request of {@code images} images. */
    record Shape(int width, int height, int images) {
        @Override
        public String toString() {
            return width + "x" + height + " batch " + images;
        }
    }

    private WarmUpPlan() {
    }

    /**
     * @param sizes         "WxH" entries ({@code sdq.pipeline.warmup-sizes}); absent or empty = the default size
     * @param batches       images per run ({@code sdq.pipeline.warmup-batches}); absent or empty = 1..maxImages
     * @param maxImages     the most images one UNet call takes (max-batch, capped by the request limit)
     */
    static List<Shape> of(Optional<List<String>> sizes, Optional<List<Integer>> batches, int defaultWidth,
                          int defaultHeight, int maxImages) {
        List<int[]> wh = new ArrayList<>();
        for (String size : sizes.orElse(List.of())) {
            wh.add(parseSize(size));
        }
        if (wh.isEmpty()) {
            wh.add(new int[] {defaultWidth, defaultHeight});
        }
        List<Integer> counts = new ArrayList<>(batches.orElse(List.of()));
        if (counts.isEmpty()) {
            for (int b = 1; b <= maxImages; b++) {
                counts.add(b);
            }
        }
        for (int b : counts) {
            if (b < 1 || b > maxImages) {
                throw new IllegalArgumentException("sdq.pipeline.warmup-batches: " + b + " is outside 1.." + maxImages
                        + " (max-batch, capped by sdq.limits.max-images)");
            }
        }
        List<Shape> plan = new ArrayList<>();
        for (int[] s : wh) {
            for (int b : counts) {
                Shape shape = new Shape(s[0], s[1], b);
                if (!plan.contains(shape)) {
                    plan.add(shape);
                }
            }
        }
        return List.copyOf(plan);
    }

    private static int[] parseSize(String size) {
        String[] parts = size.trim().toLowerCase(Locale.ROOT).split("x");
        try {
            if (parts.length == 2) {
                return new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("sdq.pipeline.warmup-sizes: '" + size + "' is not WIDTHxHEIGHT, e.g. 512x512");
    }
}
