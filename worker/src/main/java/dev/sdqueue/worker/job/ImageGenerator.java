package dev.sdqueue.worker.job;

import dev.sdqueue.pipeline.StageTimings;
import java.util.List;

/**
 * What a job needs from the model: images for resolved parameters. Two implementations, chosen at startup: the
 * Stable Diffusion pipeline, and the wall-clock benchmark model; faked in unit tests.
 */
public interface ImageGenerator {

    /**
     * Runs the model; {@code progress} is called after each denoising step and may stop the run, which then returns
     * an {@link Output#stopped()} output without images.
     */
    Output generate(Input input, StepProgress progress) throws GenerationException;

    /** Schedulers this model can run (names of {@code dev.sdqueue.schema.Schedulers}). */
    List<String> supportedSchedulers();

    /** The execution provider that runs the model (e.g. {@code cpu}). */
    String provider();

    /** Fully resolved parameters: nothing is left to a default here. */
    record Input(String prompt, String negativePrompt, int width, int height, int steps, double guidanceScale,
                 long seed, String scheduler, int numImages) {
    }

    /**
     * One image, with the seed that reproduces it alone. {@code png} encodes it when called: a worker calls it off
     * the model's thread, while the next job already runs.
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
     * What the model made, with the time of each model stage ({@code pngEncode} is zero: encoding is the job's);
     * {@code truncatedPrompt} is null when the prompt fit; {@code stopped} when
     * {@link StepProgress} stopped the run (then there are no images).
     */
    record Output(List<Image> images, StageTimings timings, String truncatedPrompt, boolean stopped) {
        public Output {
            images = List.copyOf(images);
        }

        /** A run that {@link StepProgress} stopped. */
        public static Output stoppedRun(StageTimings timings) {
            return new Output(List.of(), timings, null, true);
        }
    }

    /** Whether the run goes on after a step. */
    enum StepDecision {
        CONTINUE,
        STOP
    }

    @FunctionalInterface
    interface StepProgress {
        StepDecision onStep(int step, int totalSteps);
    }

    /**
     * The model could not produce the images. {@code reason} is the failure code for the {@code failed} event;
     * {@code retriable} tells whether another attempt may succeed (an ORT failure may, a request the model cannot
     * serve never will).
     */
    final class GenerationException extends Exception {
        private static final long serialVersionUID = 1L;
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
