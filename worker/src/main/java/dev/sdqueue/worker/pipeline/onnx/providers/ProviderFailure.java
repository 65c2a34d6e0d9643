package dev.sdqueue.worker.pipeline.onnx.providers;

import ai.onnxruntime.OrtException;

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

    public static ProviderFailure of(ExecutionProvider provider, String component, OrtException e) {
        return new ProviderFailure(provider, component, e.getCode().name(), e.getMessage());
    }

    /** e.g. "tensorrt (text_encoder): ORT_EP_FAIL Failed to find TensorRT shared provider". */
    public String describe() {
        return provider.configName() + " (" + component + "): " + code + " " + stripCodePrefix(message);
    }

    /** ORT's Java messages start with "Error code - ORT_X - message: "; the code is already shown. */
    private static String stripCodePrefix(String message) {
        String marker = " - message: ";
        int i = message == null ? -1 : message.indexOf(marker);
        return i >= 0 && message.startsWith("Error code - ") ? message.substring(i + marker.length()).strip()
                : String.valueOf(message).strip();
    }
}
