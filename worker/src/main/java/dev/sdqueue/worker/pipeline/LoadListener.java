package dev.sdqueue.worker.pipeline;

import java.time.Duration;

/** Progress while a model folder loads: called after each component (tokenizer, text_encoder, unet, ...). */
@FunctionalInterface
public interface LoadListener {

    /**
     * @param component e.g. "unet"
     * @param index     1-based position of this component
     * @param total     number of components
     * @param took      time spent loading it
     */
    void loaded(String component, int index, int total, Duration took);

    LoadListener NONE = (component, index, total, took) -> { };
}
