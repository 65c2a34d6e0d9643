package dev.sdqueue.worker.job;

/** Where the per-job time of each {@link Stage} goes (Micrometer in the worker, nothing in unit tests). */
@FunctionalInterface
public interface StageRecorder {
    StageRecorder NONE = (stage, nanos) -> { };

    void record(Stage stage, long nanos);
}
