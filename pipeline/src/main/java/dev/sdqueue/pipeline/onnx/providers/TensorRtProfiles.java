package dev.sdqueue.pipeline.onnx.providers;

import dev.sdqueue.pipeline.ShapeProfile;
import dev.sdqueue.pipeline.ImageSizeRange;
import dev.sdqueue.pipeline.onnx.providers.OnnxSignature.ValueSpec;
import dev.sdqueue.pipeline.ShapeProfile.InputRange;
import java.util.ArrayList;
import java.util.List;

/**
 * The TensorRT optimisation profile of each network, from its declared inputs: every input with a
 * dynamic axis needs a min/opt/max shape (the provider refuses a partial explicit profile), fixed axes
 * keep their size, scalars need none. Axis meanings are those of the diffusers/Optimum export:
 * <ul>
 *   <li>text_encoder {@code input_ids [B, S]}: B = 1..2·maxBatch (prompt and negative prompt rows), S = tokens</li>
 *   <li>unet {@code sample [B, 4, h, w]}, {@code encoder_hidden_states [B, S, D]}: B = 1..2·maxBatch (two rows per
 *       image with classifier-free guidance, opt 2 = one image), h/w = latent size range;
 *       rank-1 {@code timestep [T]}: T = 1..2·maxBatch (opt 1)</li>
 *   <li>vae_decoder {@code latent_sample [B, 4, h, w]}: B = 1..maxBatch (opt 1)</li>
 * </ul>
 * So one engine per network serves every request size the worker accepts and every batch up to maxBatch.
 *
 * @param sizes    image sizes the profile covers
 * @param maxBatch images per UNet call ({@code PipelineOptions.maxBatch})
 * @param tokens   text sequence length (tokenizer context, 77)
 * @param hidden   text hidden size to use when the UNet leaves it dynamic (the text encoder's), -1 if unknown
 */
public record TensorRtProfiles(ImageSizeRange sizes, int maxBatch, int tokens, long hidden) {

    private static final long LATENT_CHANNELS = 4;

    public TensorRtProfiles {
        if (maxBatch < 1 || tokens < 1) {
            throw new IllegalArgumentException("maxBatch and tokens must be >= 1, got " + maxBatch + ", " + tokens);
        }
    }

    /** min/opt/max of one axis. */
    private record Range(long min, long opt, long max) {
        static Range fixed(long v) {
            return new Range(v, v, v);
        }
    }

    /**
     * The profile of one network.
     *
     * @throws IllegalArgumentException naming the input if a dynamic input has no known meaning or an unexpected rank
     */
    public ShapeProfile profile(String component, List<ValueSpec> inputs) {
        List<InputRange> ranges = new ArrayList<>();
        for (ValueSpec in : inputs) {
            if (!in.isDynamic()) {
                continue; // fixed shape (incl. scalars): nothing to choose, and TensorRT wants no profile for it
            }
            if (!in.shapeKnown()) {
                throw new IllegalArgumentException(component + " input '" + in.name()
                        + "' declares no shape; a TensorRT profile needs its rank");
            }
            Range[] axes = axes(component, in);
            long[] min = new long[axes.length];
            long[] opt = new long[axes.length];
            long[] max = new long[axes.length];
            for (int i = 0; i < axes.length; i++) {
                long fixed = in.dims().get(i);
                Range r = fixed > 0 ? Range.fixed(fixed) : axes[i];
                min[i] = r.min();
                opt[i] = r.opt();
                max[i] = r.max();
            }
            ranges.add(new InputRange(in.name(), min, opt, max));
        }
        return new ShapeProfile(ranges);
    }

    private Range[] axes(String component, ValueSpec in) {
        int[] lh = sizes.latentHeights();
        int[] lw = sizes.latentWidths();
        Range height = new Range(lh[0], lh[1], lh[2]);
        Range width = new Range(lw[0], lw[1], lw[2]);
        Range guided = new Range(1, Math.min(2, 2L * maxBatch), 2L * maxBatch);
        Range images = new Range(1, 1, maxBatch);
        Range seq = Range.fixed(tokens);
        Range[] axes = switch (in.name()) {
            case "input_ids" -> new Range[] {guided, seq};
            case "sample" -> new Range[] {guided, Range.fixed(LATENT_CHANNELS), height, width};
            case "encoder_hidden_states" -> new Range[] {guided, seq, hidden > 0 ? Range.fixed(hidden) : null};
            case "timestep" -> new Range[] {new Range(1, 1, 2L * maxBatch)};
            case "latent_sample" -> new Range[] {images, Range.fixed(LATENT_CHANNELS), height, width};
            default -> throw new IllegalArgumentException(component + " input '" + in.name() + "' has dynamic axes "
                    + in.dims() + " and no known meaning, so no TensorRT profile can be derived for it");
        };
        if (axes.length != in.dims().size()) {
            throw new IllegalArgumentException(component + " input '" + in.name() + "' has rank " + in.dims().size()
                    + ", expected " + axes.length);
        }
        for (int i = 0; i < axes.length; i++) {
            if (axes[i] == null && in.dims().get(i) <= 0) {
                throw new IllegalArgumentException(component + " input '" + in.name() + "' axis " + i
                        + " (hidden size) is dynamic and the text encoder does not declare it either");
            }
        }
        return axes;
    }
}
