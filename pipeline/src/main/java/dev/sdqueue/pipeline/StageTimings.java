package dev.sdqueue.pipeline;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Wall-clock time per stage of one generation.
 *
 * @param unetSteps one entry per denoising step (UNet call + guidance + scheduler step)
 * @param denoise   all steps, including latent set-up
 * @param total     everything in {@code generate}
 */
public record StageTimings(Duration tokenize, Duration textEncoder, List<Duration> unetSteps, Duration denoise,
                           Duration vaeDecode, Duration pngEncode, Duration total) {

    public StageTimings {
        unetSteps = List.copyOf(unetSteps);
    }

    /** Milliseconds (fractional) by stage name, for event payloads and logs. */
    public Map<String, Double> toMillis() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("tokenizeMs", ms(tokenize));
        m.put("textEncoderMs", ms(textEncoder));
        m.put("denoiseMs", ms(denoise));
        m.put("unetStepAvgMs", unetSteps.isEmpty() ? 0.0
                : unetSteps.stream().mapToDouble(StageTimings::ms).average().orElse(0));
        m.put("vaeDecodeMs", ms(vaeDecode));
        m.put("pngEncodeMs", ms(pngEncode));
        m.put("totalMs", ms(total));
        return m;
    }

    private static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }
}
