package dev.sdqueue.pipeline.scheduler;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** diffusers {@code EulerAncestralDiscreteScheduler}: an Euler step to sigma_down, then noise * sigma_up. */
final class EulerAncestralDiscreteScheduler extends SigmaScheduler {

    static final Map<String, Object> DEFAULTS = defaults();

    private float[] noiseBuffer;
    private float[] denoised;

    public EulerAncestralDiscreteScheduler(SchedulerConfig modelConfig) {
        super("euler_a", modelConfig, DEFAULTS);
        Predictions.check(this, predictionType, java.util.Set.of("epsilon", "v_prediction"));
    }

    private static Map<String, Object> defaults() {
        Map<String, Object> d = new LinkedHashMap<>(Defaults.betas(0.0001, 0.02, "linear"));
        d.put("prediction_type", "epsilon");
        d.put("timestep_spacing", "linspace");
        d.put("steps_offset", 0);
        d.put("rescale_betas_zero_snr", false);
        return Collections.unmodifiableMap(d);
    }

    @Override
    public String className() {
        return "EulerAncestralDiscreteScheduler";
    }

    @Override
    protected boolean karras() {
        return false;
    }

    @Override
    protected void doStep(float[] modelOutput, int stepIndex, float[] sample, float[] prev, NoiseSource noise) {
        double sigmaFrom = sigmas[stepIndex];
        double sigmaTo = sigmas[stepIndex + 1];
        double sigmaUp = Math.sqrt(sigmaTo * sigmaTo * (sigmaFrom * sigmaFrom - sigmaTo * sigmaTo)
                / (sigmaFrom * sigmaFrom));
        double sigmaDown = Math.sqrt(sigmaTo * sigmaTo - sigmaUp * sigmaUp);
        double dt = sigmaDown - sigmaFrom;
        noiseBuffer = sized(noiseBuffer, sample.length);
        noise.fill(noiseBuffer);
        denoised = sized(denoised, sample.length);
        for (int i = 0; i < sample.length; i++) {
            double x = sample[i];
            double x0 = predictX0(x, modelOutput[i], sigmaFrom);
            double derivative = (x - x0) / sigmaFrom;
            denoised[i] = (float) x0;
            prev[i] = (float) (x + derivative * dt + noiseBuffer[i] * sigmaUp);
        }
    }

    @Override
    public float[] lastDenoised() {
        return denoised;
    }
}
