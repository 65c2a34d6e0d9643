package dev.sdqueue.worker.job;

import java.util.Locale;

/**
 * The stages of a job on a worker, in job order. Their names are the {@code stage} tag of
 * {@code sdq_worker_stage_seconds}, which {@code ./sdq bench duty} reads.
 */
public enum Stage {
    /** The model waited for its next job (an empty queue): the time Kafka delivery costs the model. */
    DEQUEUE,
    /** From the model taking the job to its first step: ended-jobs check, deadline, validation. */
    ADMIT,
    /** At the first step, waiting for the ended-jobs lookup started when the record arrived. */
    ADMISSION_WAIT,
    TOKENIZE,
    TEXT_ENCODER,
    DENOISE,
    VAE_DECODE,
    /** The model waited for a finishing slot (storage slower than the model). */
    BACKPRESSURE,
    PNG,
    UPLOAD,
    /** Publishing {@code completed} and waiting for the broker's acknowledgement. */
    PUBLISH;

    /** The metric tag: {@code text_encoder}, {@code vae_decode}, ... */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
