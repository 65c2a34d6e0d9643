package dev.sdqueue.pipeline;

import ai.onnxruntime.OrtException;

import java.util.regex.Pattern;

/**
 * Why one execution provider was not used.
 *
 * @param provider  the provider
 * @param component the network being set up when it failed (e.g. "text_encoder")
 * @param code      ONNX Runtime's error code (e.g. ORT_EP_FAIL), or "profile" for a shape profile that
 *                  could not be derived
 * @param message   ONNX Runtime's message
 */
public record ProviderFailure(ExecutionProvider provider, String component, String code, String message) {

    private static final Pattern NATIVE_PREFIX = Pattern.compile("^\\S+:\\d+ .*?\\[ONNXRuntimeError\\] : \\d+ : \\w+ : ");

    public static ProviderFailure of(ExecutionProvider provider, String component, OrtException e) {
        return new ProviderFailure(provider, component, e.getCode().name(), e.getMessage());
    }

    /** e.g. "tensorrt (text_encoder): ORT_EP_FAIL Failed to find TensorRT shared provider". */
    public String describe() {
        return provider.configName() + " (" + component + "): " + code + " " + stripCodePrefix(message);
    }

    /**
     * ORT's Java messages start with "Error code - ORT_X - message: " and native ones with
     * "/onnxruntime_src/...cc:1988 function [ONNXRuntimeError] : 1 : FAIL : "; the code is already shown.
     */
    private static String stripCodePrefix(String message) {
        String m = String.valueOf(message).strip();
        String marker = " - message: ";
        int i = m.indexOf(marker);
        if (m.startsWith("Error code - ") && i >= 0) {
            m = m.substring(i + marker.length()).strip();
        }
        return NATIVE_PREFIX.matcher(m).replaceFirst("");
    }

}
