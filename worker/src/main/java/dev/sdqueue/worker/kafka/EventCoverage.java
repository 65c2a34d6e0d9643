package dev.sdqueue.worker.kafka;

import java.time.Instant;

/** Told about each record naming a job before the job is handled, so its events are read from the record's time. */
@FunctionalInterface
public interface EventCoverage {
    void cover(String jobId, Instant recordTime);
}
