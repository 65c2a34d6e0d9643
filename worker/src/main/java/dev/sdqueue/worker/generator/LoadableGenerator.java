package dev.sdqueue.worker.generator;

import dev.sdqueue.worker.job.ImageGenerator;

/** An {@link ImageGenerator} that is loaded (and warmed up) once at startup, before the worker consumes. */
public interface LoadableGenerator extends ImageGenerator, AutoCloseable {

    /** Loads the model and marks the worker's model readiness; a failure fails the startup. */
    void load() throws Exception;

    @Override
    void close();
}
