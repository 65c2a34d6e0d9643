package dev.sdqueue.pipeline.scheduler;

/**
 * Standard normal noise for stochastic schedulers (Euler ancestral, LCM, Euler with churn).
 * Injectable so tests can replay the noise diffusers drew, and so the pipeline can give every
 * image of a batch its own seeded stream.
 */
@FunctionalInterface
public interface NoiseSource {

    /** Fills all of {@code dest} (same length and layout as the sample) with N(0, 1) draws. */
    void fill(float[] dest);

    /** For deterministic schedulers: fails loudly if a scheduler unexpectedly asks for noise. */
    NoiseSource NONE = dest -> {
        throw new IllegalStateException("this scheduler needs a NoiseSource, none was given");
    };
}
