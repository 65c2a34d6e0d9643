package dev.sdqueue.pipeline;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * CUDA execution provider options (also the GPU TensorRT runs on).
 *
 * @param deviceId            CUDA device ordinal; one worker process per GPU
 * @param cudnnConvAlgoSearch EXHAUSTIVE (ORT's default: benchmark once per shape, best for fixed SD shapes), HEURISTIC or DEFAULT
 * @param arenaExtendStrategy kNextPowerOfTwo (ORT's default) or kSameAsRequested (less memory held)
 * @param gpuMemLimit         bytes the CUDA arena may hold; 0 = no limit (the option is then not set)
 */
public record CudaSettings(int deviceId, String cudnnConvAlgoSearch, String arenaExtendStrategy, long gpuMemLimit) {

    public static final CudaSettings DEFAULT = new CudaSettings(0, "EXHAUSTIVE", "kNextPowerOfTwo", 0);

    public CudaSettings {
        if (deviceId < 0) {
            throw new IllegalArgumentException("CUDA device id must be >= 0, got " + deviceId);
        }
        cudnnConvAlgoSearch = switch (cudnnConvAlgoSearch.trim().toUpperCase(Locale.ROOT)) {
            case "EXHAUSTIVE" -> "EXHAUSTIVE";
            case "HEURISTIC" -> "HEURISTIC";
            case "DEFAULT" -> "DEFAULT";
            default -> throw new IllegalArgumentException("cudnn conv algo search must be EXHAUSTIVE, HEURISTIC or DEFAULT, got '"
                    + cudnnConvAlgoSearch + "'");
        };
        arenaExtendStrategy = switch (arenaExtendStrategy.trim().toLowerCase(Locale.ROOT)) {
            case "knextpoweroftwo" -> "kNextPowerOfTwo";
            case "ksameasrequested" -> "kSameAsRequested";
            default -> throw new IllegalArgumentException("arena extend strategy must be kNextPowerOfTwo or kSameAsRequested, got '"
                    + arenaExtendStrategy + "'");
        };
        if (gpuMemLimit < 0) {
            throw new IllegalArgumentException("GPU memory limit must be >= 0 (0 = none), got " + gpuMemLimit);
        }
    }

    /** The CUDA provider's option map (keys as ONNX Runtime's CUDA execution provider documents them). */
    public Map<String, String> toProviderOptions() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("device_id", Integer.toString(deviceId));
        o.put("cudnn_conv_algo_search", cudnnConvAlgoSearch);
        o.put("arena_extend_strategy", arenaExtendStrategy);
        if (gpuMemLimit > 0) {
            o.put("gpu_mem_limit", Long.toString(gpuMemLimit));
        }
        return o;
    }
}
