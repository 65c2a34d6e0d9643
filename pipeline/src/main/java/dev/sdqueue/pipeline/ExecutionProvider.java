package dev.sdqueue.pipeline;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The execution providers this worker knows how to configure, by their configuration names. */
public enum ExecutionProvider {
    /** NVIDIA TensorRT (GPU jar only); nodes it cannot take go to the providers after it. */
    TENSORRT("tensorrt"),
    /** CUDA + cuDNN (GPU jar only). */
    CUDA("cuda"),
    /** Always available; ONNX Runtime also uses it for nodes no other registered provider takes. */
    CPU("cpu");

    private final String configName;

    ExecutionProvider(String configName) {
        this.configName = configName;
    }

    /** The name used in configuration, logs, metrics and events, e.g. "tensorrt". */
    public String configName() {
        return configName;
    }

    public static Optional<ExecutionProvider> byName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(p -> p.configName.equals(n)).findFirst();
    }

    public static String knownNames() {
        return String.join(", ", Arrays.stream(values()).map(ExecutionProvider::configName).toList());
    }

    @Override
    public String toString() {
        return configName;
    }
}
