package dev.sdqueue.pipeline;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * TensorRT execution provider options. Engines and the timing cache are always cached: building a
 * Stable Diffusion UNet engine takes minutes, so the directories belong on a persistent volume. An
 * engine is reused when model, ORT/TensorRT version, GPU and profile match, and rebuilt otherwise.
 *
 * @param fp16                     let TensorRT choose fp16 kernels (fp32 models stay fp32 at the boundary)
 * @param engineCacheDir           trt_engine_cache_path
 * @param timingCacheDir           trt_timing_cache_path (speeds up building other engines on the same GPU model)
 * @param builderOptimizationLevel 0..5 (TensorRT's default 3); higher builds longer for faster engines
 * @param maxWorkspaceSize         bytes TensorRT may use as scratch while building/running
 * @param profileSizes             image sizes the engines' optimisation profile covers
 */
public record TensorRtSettings(boolean fp16, Path engineCacheDir, Path timingCacheDir, int builderOptimizationLevel,
                               long maxWorkspaceSize, ImageSizeRange profileSizes) {

    public static final long GIB = 1L << 30;
    public static final Path DEFAULT_CACHE_ROOT = Path.of("/var/cache/sdq/tensorrt");
    public static final TensorRtSettings DEFAULT = new TensorRtSettings(true, DEFAULT_CACHE_ROOT.resolve("engines"),
            DEFAULT_CACHE_ROOT.resolve("timing"), 3, 4 * GIB, ImageSizeRange.DEFAULT);

    public TensorRtSettings {
        Objects.requireNonNull(engineCacheDir, "engineCacheDir");
        Objects.requireNonNull(timingCacheDir, "timingCacheDir");
        Objects.requireNonNull(profileSizes, "profileSizes");
        if (builderOptimizationLevel < 0 || builderOptimizationLevel > 5) {
            throw new IllegalArgumentException("TensorRT builder optimization level must be 0..5, got "
                    + builderOptimizationLevel);
        }
        if (maxWorkspaceSize <= 0) {
            throw new IllegalArgumentException("TensorRT max workspace size must be > 0 bytes, got " + maxWorkspaceSize);
        }
    }

    /**
     * The TensorRT provider's option map for one network (keys as ONNX Runtime's TensorRT execution provider
     * documents them; booleans as 1/0, which every ORT version parses).
     *
     * @param deviceId the CUDA device (shared with the CUDA provider)
     * @param profile  min/opt/max shapes of the network's dynamic inputs; empty = none (all inputs fixed)
     */
    public Map<String, String> toProviderOptions(int deviceId, ShapeProfile profile) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("device_id", Integer.toString(deviceId));
        o.put("trt_fp16_enable", fp16 ? "1" : "0");
        o.put("trt_engine_cache_enable", "1");
        o.put("trt_engine_cache_path", engineCacheDir.toAbsolutePath().normalize().toString());
        o.put("trt_timing_cache_enable", "1");
        o.put("trt_timing_cache_path", timingCacheDir.toAbsolutePath().normalize().toString());
        o.put("trt_builder_optimization_level", Integer.toString(builderOptimizationLevel));
        o.put("trt_max_workspace_size", Long.toString(maxWorkspaceSize));
        if (!profile.isEmpty()) {
            o.put("trt_profile_min_shapes", profile.min());
            o.put("trt_profile_opt_shapes", profile.opt());
            o.put("trt_profile_max_shapes", profile.max());
        }
        return o;
    }
}
