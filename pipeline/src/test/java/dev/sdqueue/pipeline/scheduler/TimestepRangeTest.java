package dev.sdqueue.pipeline.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A step count whose timesteps leave the training schedule is refused with a reason, not an index error. */
class TimestepRangeTest {
    private static final SchedulerConfig SD15 = SchedulerConfig.parse("""
            {"_class_name": "PNDMScheduler", "beta_start": 0.00085, "beta_end": 0.012,
             "beta_schedule": "scaled_linear", "num_train_timesteps": 1000, "steps_offset": 1,
             "set_alpha_to_one": false, "skip_prk_steps": true, "clip_sample": false}""");

    @Test
    void pndmWithOffsetOneCannotRunAThousandSteps() {
        Scheduler pndm = Schedulers.create("pndm", SD15);

        assertThatThrownBy(() -> pndm.setTimesteps(1000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1000 steps").hasMessageContaining("0..999");
    }

    @Test
    void everySchedulerKeepsItsTimestepsInsideTheTableForTheLargestAllowedRequest() {
        for (String name : Schedulers.names()) {
            if (name.equals("lcm")) {
                continue; // LCM allows at most original_inference_steps (50) and says so itself
            }
            Scheduler scheduler = Schedulers.create(name, SD15);
            scheduler.setTimesteps(150);
            for (float t : scheduler.timesteps()) {
                assertThat(t).as(name).isBetween(0f, 999f);
            }
        }
    }
}
