package dev.sdqueue.models;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The <b>bench-wallclock</b> folder (benchmark only, never a default): no networks, only a
 * {@code model_index.json} of class {@value #CLASS_NAME} with {@code step_ms}, plus tiny-random's tokenizer and
 * SD 1.5's scheduler config so the folder keeps the diffusers layout. The worker recognises the class name and
 * sleeps {@code step_ms} per denoising step instead of running ONNX, so a job costs wall time, not CPU: several
 * worker processes on 2 cores then scale as the queue allows (the scaling benchmark).
 */
public final class WallClockBenchmarkModel {

    public static final String NAME = "bench-wallclock";
    /** {@code _class_name} the worker recognises. */
    public static final String CLASS_NAME = "SdqWallClockBenchmark";
    /** {@code model_index.json} key: milliseconds each denoising step sleeps. */
    public static final String STEP_MS_KEY = "step_ms";
    public static final int STEP_MS = 10;
    public static final String PURPOSE = "Benchmark-only model (never a default) for the worker scaling benchmark:"
            + " each denoising step sleeps step_ms instead of running a network, so a job costs wall time, not CPU.";

    private WallClockBenchmarkModel() {
    }

    /** Writes the folder to {@code dir}, replacing whatever was there (readers never see a partial folder). */
    public static void write(Path dir) throws IOException {
        ModelFolder.writeAtomically(dir, WallClockBenchmarkModel::writeInto);
    }

    /** The {@code model_index.json} content: class, marker, step time and the two components present. */
    public static Map<String, Object> modelIndex() {
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("_class_name", CLASS_NAME);
        index.put("_diffusers_version", StableDiffusionLayout.DIFFUSERS_VERSION);
        index.put(BenchmarkModel.MARKER_KEY, PURPOSE);
        index.put(StableDiffusionLayout.SCHEDULER, List.of("diffusers", "PNDMScheduler"));
        index.put(STEP_MS_KEY, STEP_MS);
        index.put(StableDiffusionLayout.TOKENIZER, List.of("transformers", "CLIPTokenizer"));
        return index;
    }

    private static void writeInto(Path dir) throws IOException {
        StableDiffusionLayout.writeSd15Common(dir, TinyRandomModel.vocabulary(), NAME, modelIndex());
    }
}
