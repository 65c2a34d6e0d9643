package dev.sdqueue.worker.service;

import java.util.List;
import java.util.Map;

/**
 * What the job handler needs from the model: images for resolved parameters. Implemented over the pipeline package;
 * faked in the handler's unit tests.
 */
public interface ImageGenerator {

    /** Runs the model; {@code progress} is called after each denoising step with (step, totalSteps). */
    Output generate(Input input, StepProgress progress) throws GenerationException;

    /** Schedulers this model can run (names of {@code dev.sdqueue.schema.Schedulers}). */
    List<String> supportedSchedulers();

    /** The ONNX Runtime execution provider that runs the sessions (e.g. {@code cpu}). */
    String provider();

    /** Fully resolved parameters: nothing is left to a default here. */
    record Input(String prompt, String negativePrompt, int width, int height, int steps, double guidanceScale,
                 long seed, String scheduler, int numImages) {
    }

    /**
     * One image, with the seed that reproduces it alone. {@code png} encodes it when called: the handler calls it
     * off the model's thread, while the next job already runs.
     */
    record Image(PngSource png, int width, int height, long seed) {
        /** An image whose PNG is already encoded. */
        public Image(byte[] encoded, int width, int height, long seed) {
            this(() -> encoded, width, height, seed);
        }
    }

    /** Produces the PNG file of one image (may be called on any thread, once). */
    @FunctionalInterface
    interface PngSource {
        byte[] encode();
    }

    /**
     * {@code timings} are milliseconds per stage ({@code tokenizeMs}, {@code textEncoderMs}, {@code denoiseMs},
     * {@code vaeDecodeMs}, ...; PNG encoding is not in them); {@code truncatedPrompt} is null when the prompt fit.
     */
    record Output(List<Image> images, Map<String, Double> timings, String truncatedPrompt) {
    }

    @FunctionalInterface
    interface StepProgress {
        void onStep(int step, int totalSteps);
    }

    /**
     * The model could not produce the images. {@code reason} is the failure code for the {@code failed} event;
     * {@code retriable} tells whether another attempt may succeed (an ORT failure may, a request the model cannot
     * serve never will).
     */
    final class GenerationException extends Exception {
        private final String reason;
        private final boolean retriable;

        public GenerationException(String reason, boolean retriable, String message, Throwable cause) {
            super(message, cause);
            this.reason = reason;
            this.retriable = retriable;
        }

        public String reason() {
            return reason;
        }

        public boolean retriable() {
            return retriable;
        }
    }
}
