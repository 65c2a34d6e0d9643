package dev.sdqueue.pipeline.scheduler;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchedulersTest {

    private static final SchedulerConfig SD15 = SchedulerConfig.parse("""
            {"_class_name": "PNDMScheduler", "_diffusers_version": "0.6.0", "beta_end": 0.012,
             "beta_schedule": "scaled_linear", "beta_start": 0.00085, "num_train_timesteps": 1000,
             "set_alpha_to_one": false, "skip_prk_steps": true, "steps_offset": 1, "trained_betas": null,
             "clip_sample": false}""");

    @Test
    void allNineNamesAndTheirClassNamesResolve() {
        assertThat(Schedulers.names()).containsExactly("ddim", "pndm", "euler", "euler_a", "lms", "dpmpp_2m",
                "dpmpp_2m_karras", "lcm", "unipc");
        for (String name : Schedulers.names()) {
            Scheduler s = Schedulers.create(name, SD15);
            assertThat(s.name()).isEqualTo(name);
            assertThat(Schedulers.create(s.className(), SD15).className()).isEqualTo(s.className());
        }
        assertThat(Schedulers.create("EULER_A", SD15).name()).isEqualTo("euler_a");
    }

    @Test
    void nullMeansTheModelsOwnSchedulerWithItsSettings() {
        Scheduler s = Schedulers.create(null, SD15);
        assertThat(s).isInstanceOf(PndmScheduler.class);
        assertThat(s.config().bool("skip_prk_steps", false)).isTrue();
        assertThat(Schedulers.defaultName(SD15)).isEqualTo("pndm");
        assertThat(Schedulers.defaultName(SD15.with("_class_name", "DPMSolverMultistepScheduler")
                .with("use_karras_sigmas", true))).isEqualTo("dpmpp_2m_karras");
        assertThat(Schedulers.defaultName(SD15.with("_class_name", "DDPMScheduler"))).isNull();
    }

    @Test
    void classDefaultsFillWhatTheFileLacks() {
        // SD 1.5's file has no timestep_spacing: each class uses its own default.
        assertThat(Schedulers.create("ddim", SD15).config().string("timestep_spacing", "")).isEqualTo("leading");
        assertThat(Schedulers.create("euler", SD15).config().string("timestep_spacing", "")).isEqualTo("linspace");
        assertThat(Schedulers.create("lcm", SD15).config().bool("set_alpha_to_one", false)).isFalse();
        assertThat(Schedulers.create("lcm", SchedulerConfig.empty()).config().bool("set_alpha_to_one", false)).isTrue();
        assertThat(Schedulers.create("ddim", SchedulerConfig.empty()).config().string("beta_schedule", ""))
                .isEqualTo("linear");
    }

    @Test
    void karrasNamePinsKarrasSigmas() {
        Scheduler plain = Schedulers.create("dpmpp_2m", SD15);
        Scheduler karras = Schedulers.create("dpmpp_2m_karras", SD15);
        plain.setTimesteps(10);
        karras.setTimesteps(10);
        assertThat(karras.timesteps()).isNotEqualTo(plain.timesteps());
        assertThat(karras.config().bool("use_karras_sigmas", false)).isTrue();
    }

    @Test
    void unknownNamesAndUnsupportedOptionsFailClearly() {
        assertThatThrownBy(() -> Schedulers.create("heun", SD15)).isInstanceOf(UnsupportedSchedulerException.class)
                .hasMessageContaining("unsupported scheduler 'heun'").hasMessageContaining("euler_a");
        assertThatThrownBy(() -> Schedulers.create("ddim", SD15.with("thresholding", true)))
                .isInstanceOf(UnsupportedSchedulerException.class).hasMessageContaining("thresholding");
        assertThatThrownBy(() -> Schedulers.create("DPMSolverMultistepScheduler",
                SD15.with("algorithm_type", "sde-dpmsolver++"))).hasMessageContaining("sde-dpmsolver++");
        assertThatThrownBy(() -> Schedulers.create("euler", SD15.with("beta_schedule", "sigmoid")))
                .hasMessageContaining("beta_schedule 'sigmoid'");
        assertThatThrownBy(() -> Schedulers.create("euler", SD15.with("timestep_spacing", "uniform")))
                .isInstanceOf(UnsupportedSchedulerException.class).hasMessageContaining("timestep_spacing 'uniform'");
        assertThatThrownBy(() -> Schedulers.create("euler", SD15, Map.of("eta", 0.5)))
                .hasMessageContaining("unsupported step option 'eta'");
    }

    @Test
    void configNumbersAcceptPythonInfinityStrings() {
        SchedulerConfig c = SchedulerConfig.parse("{\"lambda_min_clipped\": \"-inf\", \"x\": 2}");
        assertThat(c.number("lambda_min_clipped", 0)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(c.integer("x", 0)).isEqualTo(2);
        assertThat(c.number("missing", 1.5)).isEqualTo(1.5);
    }
}
