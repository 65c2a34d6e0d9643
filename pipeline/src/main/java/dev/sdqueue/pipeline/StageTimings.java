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

    /** A run that measured nothing (e.g. stopped before its first step). */
    public static final StageTimings ZERO = new StageTimings(Duration.ZERO, Duration.ZERO, List.of(), Duration.ZERO,
            Duration.ZERO, Duration.ZERO, Duration.ZERO);

    public StageTimings {
        unetSteps = List.copyOf(unetSteps);
    }

    /** The mean of {@code unetSteps} (zero without steps). */
    public Duration unetStepAverage() {
        return unetSteps.isEmpty() ? Duration.ZERO
                : unetSteps.stream().reduce(Duration.ZERO, Duration::plus).dividedBy(unetSteps.size());
    }

    /** Milliseconds (fractional) by stage name, for event payloads and logs. */
    public Map<String, Double> toMillis() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("tokenizeMs", ms(tokenize));
        m.put("textEncoderMs", ms(textEncoder));
        m.put("denoiseMs", ms(denoise));
        m.put("unetStepAvgMs", ms(unetStepAverage()));
        m.put("vaeDecodeMs", ms(vaeDecode));
        m.put("pngEncodeMs", ms(pngEncode));
        m.put("totalMs", ms(total));
        return m;
    }

    private static double ms(Duration d) {
        return d.toNanos() / 1e6;
    }
}
