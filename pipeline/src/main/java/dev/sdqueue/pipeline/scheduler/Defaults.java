package dev.sdqueue.pipeline.scheduler;

import java.util.LinkedHashMap;
import java.util.Map;

/** The beta-schedule keys every diffusers scheduler's __init__ starts with. */
final class Defaults {

    private Defaults() {
    }

    static Map<String, Object> betas(double start, double end, String schedule) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("num_train_timesteps", 1000);
        d.put("beta_start", start);
        d.put("beta_end", end);
        d.put("beta_schedule", schedule);
        d.put("trained_betas", null);
        return d;
    }
}
