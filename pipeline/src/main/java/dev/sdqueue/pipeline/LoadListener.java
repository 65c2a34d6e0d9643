package dev.sdqueue.pipeline;

import dev.sdqueue.pipeline.ProviderFailure;
import dev.sdqueue.pipeline.ProviderSelection;

import java.time.Duration;

/**
 * Progress while a model folder loads: called after each component (tokenizer, text_encoder, unet, ...),
 * and about the execution providers tried.
 */
@FunctionalInterface
public interface LoadListener {

    /**
     * @param component e.g. "unet"
     * @param index     1-based position of this component
     * @param total     number of components
     * @param took      time spent loading it
     */
    void loaded(String component, int index, int total, Duration took);

    /**
     * A configured execution provider is not usable here and was dropped.
     *
     * @param next the provider leading the next try, or null if the load fails (strict, or none left)
     */
    default void providerFailed(ProviderFailure failure, String next) {
    }

    /** The sessions were created; {@link ProviderSelection#active()} runs the networks. */
    default void providersSelected(ProviderSelection selection) {
    }

    LoadListener NONE = (component, index, total, took) -> { };
}
