package dev.sdqueue.worker.generator;

import dev.sdqueue.pipeline.StableDiffusionPipeline;
import java.nio.file.Path;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The wall-clock benchmark model as the worker's generator: chosen at startup instead of
 * {@link PipelineImageGenerator} when the model folder is one (never a default). No ONNX Runtime session exists.
 */
public final class WallClockImageGenerator implements LoadableGenerator {
    private static final Logger LOG = Logger.getLogger(WallClockImageGenerator.class);

    private final Path modelDir;
    private final ModelReadiness readiness;
    private volatile WallClockBenchmarkModel model;

    public WallClockImageGenerator(Path modelDir, ModelReadiness readiness) {
        this.modelDir = modelDir;
        this.readiness = readiness;
    }

    @Override
    public void load() {
        WallClockBenchmarkModel loaded = WallClockBenchmarkModel.load(modelDir);
        LOG.warnf("BENCHMARK MODEL %s at %s: each denoising step sleeps %s instead of running a network (wall time,"
                + " no CPU); its images are colour ramps. For benchmarks only.", loaded.name(), modelDir,
                loaded.stepTime());
        model = loaded;
        readiness.ready(provider());
    }

    @Override
    public Output generate(Input input, StepProgress progress) throws GenerationException {
        WallClockBenchmarkModel loaded = model;
        if (loaded == null) {
            throw new GenerationException("model_not_loaded", true, "the model is not loaded", null);
        }
        return loaded.generate(input, progress);
    }

    @Override
    public List<String> supportedSchedulers() {
        return StableDiffusionPipeline.schedulerNames();
    }

    @Override
    public String provider() {
        return WallClockBenchmarkModel.PROVIDER;
    }

    @Override
    public void close() {
        model = null;
    }
}
