package dev.sdqueue.worker.job;

import dev.sdqueue.pipeline.StageTimings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The timings a {@code completed} event reports: the model's stages, PNG encoding and upload. Typed up to the event;
 * {@link #toEventTimings()} is the one place they become the contract's map of milliseconds.
 */
public record JobTimings(StageTimings model, Duration pngEncode, Duration upload) {

    /**
     * The event's {@code timings}: {@code tokenizeMs}, {@code textEncoderMs}, {@code denoiseMs}, {@code unetStepAvgMs},
     * {@code vaeDecodeMs}, {@code totalMs} (model + PNG), {@code inferenceMs} (model), {@code pngEncodeMs},
     * {@code uploadMs}.
     */
    public Map<String, Double> toEventTimings() {
        Map<String, Double> ms = new LinkedHashMap<>();
        ms.put("tokenizeMs", ms(model.tokenize()));
        ms.put("textEncoderMs", ms(model.textEncoder()));
        ms.put("denoiseMs", ms(model.denoise()));
        ms.put("unetStepAvgMs", ms(model.unetStepAverage()));
        ms.put("vaeDecodeMs", ms(model.vaeDecode()));
        ms.put("totalMs", ms(model.total().plus(pngEncode)));
        ms.put("inferenceMs", ms(model.total()));
        ms.put("pngEncodeMs", ms(pngEncode));
        ms.put("uploadMs", ms(upload));
        return ms;
    }

    private static double ms(Duration duration) {
        return duration.toNanos() / 1e6;
    }
}
