package dev.sdqueue.pipeline.onnx;

import dev.sdqueue.pipeline.ModelInfo;
import dev.sdqueue.pipeline.scheduler.SchedulerConfig;
import dev.sdqueue.pipeline.tokenizer.ClipTokenizer;

/** A loaded model folder: tokenizer, scheduler config and the three ONNX Runtime sessions. */
public final class StableDiffusionModel implements AutoCloseable {

    private final ModelInfo info;
    private final ClipTokenizer tokenizer;
    private final SchedulerConfig schedulerConfig;
    private final TextEncoder textEncoder;
    private final UNet unet;
    private final VaeDecoder vaeDecoder;

    StableDiffusionModel(ModelInfo info, ClipTokenizer tokenizer, SchedulerConfig schedulerConfig,
                         TextEncoder textEncoder, UNet unet, VaeDecoder vaeDecoder) {
        this.info = info;
        this.tokenizer = tokenizer;
        this.schedulerConfig = schedulerConfig;
        this.textEncoder = textEncoder;
        this.unet = unet;
        this.vaeDecoder = vaeDecoder;
    }

    public ModelInfo info() {
        return info;
    }

    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    public SchedulerConfig schedulerConfig() {
        return schedulerConfig;
    }

    public TextEncoder textEncoder() {
        return textEncoder;
    }

    public UNet unet() {
        return unet;
    }

    public VaeDecoder vaeDecoder() {
        return vaeDecoder;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (AutoCloseable c : new AutoCloseable[] {textEncoder, unet, vaeDecoder}) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException re ? re : new IllegalStateException(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
