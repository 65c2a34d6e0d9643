package dev.sdqueue.pipeline.scheduler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdqueue.pipeline.ReferenceData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Every trajectory file and run of {@code schedulers/*.json} (diffusers v0.29.2) against our
 * schedulers, configured from the file's base_config + config_overrides and step_kwargs. Checks
 * the resolved config, timesteps, sigmas, init_noise_sigma, then each step twice: teacher-forced
 * (reference sample and model output in, so errors cannot compound) and free-running (our own
 * trajectory through the same model_fn). Tolerances are the reference README's.
 */
class SchedulerReferenceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode COMMON = ReferenceData.json(ReferenceData.file("schedulers/common.json"));

    private static List<Path> trajectoryFiles() {
        try (Stream<Path> files = Files.list(ReferenceData.dir().resolve("schedulers"))) {
            return files.filter(p -> p.toString().endsWith(".json"))
                    .filter(p -> !p.getFileName().toString().equals("common.json"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void referenceDirectoryHasTrajectories() {
        // Any folder of the same layout will do (-Dsdq.reference.dir): an empty one would pass vacuously.
        assertThat(trajectoryFiles()).isNotEmpty();
    }

    @Test
    void alphasCumprodMatchesTorchBitForBit() {
        SchedulerConfig sd15 = config(COMMON.get("sd15_scheduler_config"));
        NoiseSchedule schedule = NoiseSchedule.from(sd15);
        float[] betas = floats(COMMON.get("betas"));
        float[] acp = floats(COMMON.get("alphas_cumprod"));
        assertThat(schedule.betas).containsExactly(betas);
        assertThat(schedule.alphasCumprod).containsExactly(acp);
    }

    @TestFactory
    Stream<DynamicNode> everyTrajectory() {
        return trajectoryFiles().stream().map(file -> {
            JsonNode doc = ReferenceData.json(file);
            String cls = doc.get("scheduler_class").asText();
            String name = file.getFileName().toString();
            List<DynamicNode> nodes = new ArrayList<>();
            nodes.add(DynamicTest.dynamicTest(name + " resolved config", () -> {
                assumeImplemented(cls);
                checkResolvedConfig(doc, create(doc));
            }));
            for (JsonNode run : doc.get("runs")) {
                String label = name + " " + run.get("num_inference_steps").asInt() + " steps";
                nodes.add(DynamicTest.dynamicTest(label + " schedule", () -> {
                    assumeImplemented(cls);
                    checkSchedule(run, create(doc));
                }));
                nodes.add(DynamicTest.dynamicTest(label + " teacher-forced", () -> {
                    assumeImplemented(cls);
                    runSteps(run, create(doc), true);
                }));
                nodes.add(DynamicTest.dynamicTest(label + " free-running", () -> {
                    assumeImplemented(cls);
                    runSteps(run, create(doc), false);
                }));
            }
            return DynamicContainer.dynamicContainer(name + " (" + cls + ")", nodes);
        });
    }

    private static void assumeImplemented(String cls) {
        Assumptions.assumeTrue(Schedulers.isSupported(cls), "scheduler not implemented yet: " + cls);
    }

    private static Scheduler create(JsonNode doc) {
        SchedulerConfig config = doc.get("base_config").isNull() ? SchedulerConfig.empty() : config(doc.get("base_config"));
        config = config.withAll(map(doc.get("config_overrides")));
        return Schedulers.create(doc.get("scheduler_class").asText(), config, map(doc.get("step_kwargs")));
    }

    private static void checkResolvedConfig(JsonNode doc, Scheduler s) {
        Map<String, Object> ours = s.config().values();
        doc.get("resolved_config").fields().forEachRemaining(e -> {
            assertThat(ours).as("resolved config key").containsKey(e.getKey());
            Object mine = ours.get(e.getKey());
            JsonNode ref = e.getValue();
            String what = "resolved_config." + e.getKey();
            if (ref.isNull()) {
                assertThat(mine).as(what).isNull();
            } else if (ref.isNumber() || (ref.isTextual() && ref.asText().matches("-?inf"))) {
                assertThat(s.config().number(e.getKey(), Double.NaN)).as(what)
                        .isEqualTo(ref.isNumber() ? ref.asDouble() : Double.parseDouble(ref.asText().replace("inf", "Infinity")));
            } else if (ref.isBoolean()) {
                assertThat(mine).as(what).isEqualTo(ref.asBoolean());
            } else if (ref.isTextual()) {
                assertThat(mine).as(what).isEqualTo(ref.asText());
            } else if (ref.isArray()) {
                assertThat((List<?>) mine).as(what).hasSize(ref.size());
            }
        });
        assertThat(s.className()).isEqualTo(doc.get("scheduler_class").asText());
    }

    private static void checkSchedule(JsonNode run, Scheduler s) {
        int steps = run.get("num_inference_steps").asInt();
        s.setTimesteps(steps);
        JsonNode ts = run.get("timesteps");
        boolean ints = run.get("timesteps_dtype").asText().startsWith("int");
        assertThat(s.integerTimesteps()).as("integer timesteps").isEqualTo(ints);
        assertThat(s.numSteps()).isEqualTo(ts.size());
        for (int i = 0; i < ts.size(); i++) {
            float ref = (float) ts.get(i).asDouble();
            float mine = s.timestep(i);
            if (ints) {
                assertThat(mine).as("timestep %d", i).isEqualTo(ref);
            } else {
                assertThat(Math.abs(mine - ref)).as("timestep %d (%s vs %s)", i, mine, ref).isLessThanOrEqualTo(Math.ulp(ref));
            }
        }
        if (run.has("sigmas")) {
            float[] mine = s instanceof SigmaScheduler sig ? sig.sigmas()
                    : s instanceof MultistepScheduler ms ? ms.sigmas() : null;
            assertThat(mine).as("scheduler exposes sigmas").isNotNull();
            float[] ref = floats(run.get("sigmas"));
            assertThat(mine).hasSameSizeAs(ref);
            for (int i = 0; i < ref.length; i++) {
                assertRelative("sigma " + i, mine[i], ref[i], 1e-6);
            }
        }
        assertRelative("init_noise_sigma", s.initNoiseSigma(), run.get("init_noise_sigma").asDouble(), 1e-6);
    }

    private static void runSteps(JsonNode run, Scheduler s, boolean teacherForced) {
        s.setTimesteps(run.get("num_inference_steps").asInt());
        float[] xStart = floats(run.get("x_start"));
        float[] base = floats(COMMON.get("start_base"));
        float[] bias = floats(COMMON.get("model_output_bias"));
        // Our own start, from the common base, must equal the recorded one.
        float[] x = new float[base.length];
        for (int i = 0; i < base.length; i++) {
            x[i] = base[i] * s.initNoiseSigma();
        }
        assertClose("x_start", x, xStart);
        float[] xIn = new float[x.length];
        float[] out = new float[x.length];
        JsonNode steps = run.get("steps");
        assertThat(steps.size()).isEqualTo(s.numSteps());
        for (int i = 0; i < steps.size(); i++) {
            JsonNode step = steps.get(i);
            String at = (teacherForced ? "teacher-forced" : "free-running") + " step " + i;
            if (teacherForced && i > 0) {
                x = floats(steps.get(i - 1).get("x"));
            }
            s.scaleModelInput(x, i, xIn);
            assertClose(at + " x_in", xIn, floats(step.get("x_in")));
            float[] modelOutput = teacherForced ? floats(step.get("model_output")) : modelFn(xIn, s.timestep(i), bias);
            if (!teacherForced) {
                assertClose(at + " model_output", modelOutput, floats(step.get("model_output")));
            }
            RecordedNoise noise = new RecordedNoise(step.get("noise"));
            s.step(modelOutput, i, x, out, noise);
            assertClose(at + " x", out, floats(step.get("x")));
            if (step.has("denoised")) {
                assertClose(at + " denoised", s.lastDenoised(), floats(step.get("denoised")));
            }
            x = out.clone();
        }
    }

    /** The reference model: out = float32(float32(x_in * s) + bias), s = float32(0.5*cos(t/1000)). */
    private static float[] modelFn(float[] xIn, float t, float[] bias) {
        float s = (float) (0.5 * Math.cos((double) t / 1000));
        float[] out = new float[xIn.length];
        for (int i = 0; i < xIn.length; i++) {
            out[i] = xIn[i] * s + bias[i];
        }
        return out;
    }

    /** Replays the draws diffusers recorded for one step, in order; fails on an extra draw. */
    private static final class RecordedNoise implements NoiseSource {
        private final List<float[]> draws = new ArrayList<>();
        private int next;

        RecordedNoise(JsonNode recorded) {
            if (recorded != null) {
                recorded.forEach(d -> draws.add(floats(d)));
            }
        }

        @Override
        public void fill(float[] dest) {
            if (next >= draws.size()) {
                fail("scheduler drew noise #" + (next + 1) + " but diffusers drew only " + draws.size());
            }
            System.arraycopy(draws.get(next++), 0, dest, 0, dest.length);
        }
    }

    private static void assertClose(String what, float[] mine, float[] ref) {
        assertThat(mine).as(what + " length").hasSameSizeAs(ref);
        for (int i = 0; i < ref.length; i++) {
            double tol = 1e-5 + 1e-5 * Math.abs(ref[i]);
            if (!(Math.abs(mine[i] - ref[i]) <= tol)) {
                fail(String.format("%s[%d]: ours %.9g, reference %.9g, |diff| %.3g > %.3g", what, i, mine[i], ref[i],
                        Math.abs(mine[i] - ref[i]), tol));
            }
        }
    }

    private static void assertRelative(String what, double mine, double ref, double rel) {
        double tol = rel * Math.abs(ref);
        if (!(Math.abs(mine - ref) <= tol)) {
            fail(String.format("%s: ours %.9g, reference %.9g (relative tolerance %.1g)", what, mine, ref, rel));
        }
    }

    static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            // Reference values are shortest decimals that round-trip to float32.
            out[i] = Float.parseFloat(array.get(i).asText());
        }
        return out;
    }

    private static SchedulerConfig config(JsonNode node) {
        return new SchedulerConfig(map(node));
    }

    private static Map<String, Object> map(JsonNode node) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        return JSON.convertValue(node, LinkedHashMap.class);
    }
}
