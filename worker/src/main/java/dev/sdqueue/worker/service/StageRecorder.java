package dev.sdqueue.worker.service;

/**
 * Where the per-job time of each stage goes (Micrometer in the worker, nothing in unit tests). Stages, in job order:
 * {@code dequeue}, {@code admit} (ended-jobs check, {@code started}), {@code tokenize}, {@code text_encoder},
 * {@code denoise}, {@code vae_decode}, {@code png}, {@code upload}, {@code publish}.
 */
@FunctionalInterface
public interface StageRecorder {
    StageRecorder NONE = (stage, nanos) -> { };

    void record(String stage, long nanos);
}
