package dev.sdqueue.loadtests.load;

import dev.sdqueue.loadtests.EventTracker;

/**
 * An accepted submission joined with what the event topic said about its job. All figures in ms; NaN when the
 * events needed were not seen.
 */
public record JobSample(Submission submission, EventTracker.JobEvents events) {
    public boolean ended() {
        return events != null && events.ended();
    }

    public boolean completed() {
        return events != null && events.completed();
    }

    /** Send (right before the POST) until the terminal event was received by the harness. */
    public double endToEndMs() {
        return ended() ? (events.terminalReceivedMicros() - submission.sendMicros()) / 1000.0 : Double.NaN;
    }

    /** The worker's own pipeline time ({@code completed.timings.totalMs}). */
    public double pipelineMs() {
        return completed() ? events.timing("totalMs").orElse(Double.NaN) : Double.NaN;
    }

    public double uploadMs() {
        return completed() ? events.timing("uploadMs").orElse(Double.NaN) : Double.NaN;
    }

    /** End-to-end minus the pipeline: everything the system adds around the model. */
    public double addedMs() {
        return endToEndMs() - pipelineMs();
    }

    /** Send until the worker's {@code started.at}: HTTP intake, publish, the request topic, the worker's dequeue. */
    public double toStartedMs() {
        return events != null && events.startedAtMicros() > 0
                ? (events.startedAtMicros() - submission.sendMicros()) / 1000.0 : Double.NaN;
    }

    /** {@code started.at} until {@code completed.at} minus the pipeline: upload and the worker's bookkeeping. */
    public double inWorkerBesidesPipelineMs() {
        return completed() && events.startedAtMicros() > 0
                ? (events.terminalAtMicros() - events.startedAtMicros()) / 1000.0 - pipelineMs() : Double.NaN;
    }

    /** {@code completed.at} until the harness received it: publish and delivery of the terminal event. */
    public double deliveryMs() {
        return ended() ? (events.terminalReceivedMicros() - events.terminalAtMicros()) / 1000.0 : Double.NaN;
    }
}
