package dev.sdqueue.dispatcher.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.ImageRef;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The merge rules of the status store ({@link JobStatus#afterRequest}, {@link JobStatus#afterEvent}). */
class JobStatusMergeTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final TestStatuses view = new TestStatuses();

    @Test
    void requestMakesAQueuedJobWithItsParameters() {
        GenerationRequested request = request("a");
        view.onRequest(request);
        JobStatus status = view.get("a").orElseThrow();
        assertThat(status.status()).isEqualTo(JobPhase.QUEUED);
        assertThat(status.request()).isEqualTo(request);
        assertThat(status.attempt()).isNull();
        assertThat(view.get("b")).isEmpty();
    }

    @Test
    void queuedRunningSucceeded() {
        view.onRequest(request("a"));
        view.onEvent(new GenerationEvent.Started("a", at(1), 1, "w1"));
        assertThat(view.get("a").orElseThrow().status()).isEqualTo(JobPhase.RUNNING);
        view.onEvent(new GenerationEvent.Progress("a", at(2), 1, 5, 20));
        JobStatus running = view.get("a").orElseThrow();
        assertThat(running.progress()).isEqualTo(new JobStatus.Progress(5, 20));
        assertThat(running.attempt()).isEqualTo(1);

        view.onEvent(completed("a", 1, "first"));
        JobStatus done = view.get("a").orElseThrow();
        assertThat(done.status()).isEqualTo(JobPhase.SUCCEEDED);
        assertThat(done.images()).extracting(ImageRef::key).containsExactly("first");
        assertThat(done.progress()).isNull();
        assertThat(done.request()).isEqualTo(request("a"));
        assertThat(done.updatedAt()).isEqualTo(at(3));
    }

    @Test
    void failedCarriesItsReason() {
        view.onRequest(request("a"));
        view.onEvent(new GenerationEvent.Failed("a", at(5), 3, "model_error", "UNet failed", false));
        JobStatus failed = view.get("a").orElseThrow();
        assertThat(failed.status()).isEqualTo(JobPhase.FAILED);
        assertThat(failed.error()).isEqualTo(new JobStatus.Failure("model_error", "UNet failed", false));
        assertThat(failed.attempt()).isEqualTo(3);
        assertThat(failed.images()).isNull();
    }

    @Test
    void theFirstTerminalEventWinsAndNothingMovesItAfterwards() {
        view.onRequest(request("a"));
        view.onEvent(completed("a", 1, "first"));
        JobStatus first = view.get("a").orElseThrow();
        view.onEvent(completed("a", 2, "redelivered"));
        view.onEvent(new GenerationEvent.Failed("a", at(9), 2, "timeout", "late", true));
        view.onEvent(new GenerationEvent.Started("a", at(10), 3, "w2"));
        view.onEvent(new GenerationEvent.Progress("a", at(11), 3, 1, 20));
        view.onRequest(request("a"));
        assertThat(view.get("a")).contains(first);
    }

    @Test
    void eventsBeforeTheRequestAreKeptAndTheRequestOnlyFillsInParameters() {
        view.onEvent(new GenerationEvent.Started("a", at(1), 1, "w1"));
        assertThat(view.get("a").orElseThrow().status()).isEqualTo(JobPhase.RUNNING);
        view.onEvent(completed("a", 1, "k"));
        view.onRequest(request("a"));
        JobStatus status = view.get("a").orElseThrow();
        assertThat(status.status()).isEqualTo(JobPhase.SUCCEEDED);
        assertThat(status.request()).isEqualTo(request("a"));
        assertThat(status.updatedAt()).isEqualTo(at(3));
    }

    @Test
    void aRetryRestartsProgressAndStaleEventsOfEarlierAttemptsAreIgnored() {
        view.onRequest(request("a"));
        view.onEvent(new GenerationEvent.Started("a", at(1), 1, "w1"));
        view.onEvent(new GenerationEvent.Progress("a", at(2), 1, 15, 20));
        view.onEvent(new GenerationEvent.Started("a", at(3), 2, "w2"));
        JobStatus retried = view.get("a").orElseThrow();
        assertThat(retried.attempt()).isEqualTo(2);
        assertThat(retried.progress()).isNull();

        view.onEvent(new GenerationEvent.Progress("a", at(4), 1, 16, 20));
        view.onEvent(new GenerationEvent.Started("a", at(4), 1, "w1"));
        assertThat(view.get("a")).contains(retried);

        view.onEvent(new GenerationEvent.Progress("a", at(5), 2, 3, 20));
        assertThat(view.get("a").orElseThrow().progress()).isEqualTo(new JobStatus.Progress(3, 20));
    }

    @Test
    void progressNeverGoesBackWithinAnAttemptAndADuplicateStartKeepsIt() {
        view.onEvent(new GenerationEvent.Started("a", at(1), 1, "w1"));
        view.onEvent(new GenerationEvent.Progress("a", at(2), 1, 7, 20));
        view.onEvent(new GenerationEvent.Progress("a", at(3), 1, 6, 20));
        view.onEvent(new GenerationEvent.Started("a", at(4), 1, "w1"));
        assertThat(view.get("a").orElseThrow().progress()).isEqualTo(new JobStatus.Progress(7, 20));
        assertThat(view.get("a").orElseThrow().status()).isEqualTo(JobPhase.RUNNING);
    }

    @Test
    void retriesThroughAttemptsTwoAndThreeThenSuccessShowTheAttemptAndWorker() {
        view.onRequest(request("a"));
        view.onEvent(new GenerationEvent.Started("a", at(1), 1, "w1"));
        view.onEvent(new GenerationEvent.Progress("a", at(2), 1, 4, 20));
        // Transient failure: no terminal event, the retry's started carries attempt 2.
        view.onEvent(new GenerationEvent.Started("a", at(12), 2, "w2"));
        assertThat(view.get("a").orElseThrow()).satisfies(s -> {
            assertThat(s.status()).isEqualTo(JobPhase.RUNNING);
            assertThat(s.attempt()).isEqualTo(2);
            assertThat(s.worker()).isEqualTo("w2");
            assertThat(s.progress()).isNull();
        });
        view.onEvent(new GenerationEvent.Progress("a", at(13), 2, 2, 20));
        view.onEvent(new GenerationEvent.Started("a", at(73), 3, "w1"));
        view.onEvent(new GenerationEvent.Progress("a", at(74), 3, 1, 20));
        // Late events of attempts 1 and 2 (a zombie worker) change nothing.
        JobStatus third = view.get("a").orElseThrow();
        view.onEvent(new GenerationEvent.Progress("a", at(75), 2, 19, 20));
        view.onEvent(new GenerationEvent.Started("a", at(75), 2, "w2"));
        view.onEvent(new GenerationEvent.Progress("a", at(75), 1, 20, 20));
        assertThat(view.get("a")).contains(third);
        assertThat(third.attempt()).isEqualTo(3);
        assertThat(third.progress()).isEqualTo(new JobStatus.Progress(1, 20));

        view.onEvent(completed("a", 3, "k"));
        JobStatus done = view.get("a").orElseThrow();
        assertThat(done.status()).isEqualTo(JobPhase.SUCCEEDED);
        assertThat(done.attempt()).isEqualTo(3);
        assertThat(done.worker()).isEqualTo("w1");
    }

    @Test
    void aFinalFailureAfterRetriesIsTheEndAndNothingAfterItCounts() {
        view.onRequest(request("a"));
        view.onEvent(new GenerationEvent.Started("a", at(1), 1, "w1"));
        view.onEvent(new GenerationEvent.Started("a", at(11), 2, "w2"));
        view.onEvent(new GenerationEvent.Started("a", at(71), 3, "w3"));
        view.onEvent(new GenerationEvent.Failed("a", at(80), 3, "storage_unavailable", "S3 down", true));
        JobStatus failed = view.get("a").orElseThrow();
        assertThat(failed.status()).isEqualTo(JobPhase.FAILED);
        assertThat(failed.attempt()).isEqualTo(3);
        assertThat(failed.worker()).isEqualTo("w3");
        assertThat(failed.error()).isEqualTo(new JobStatus.Failure("storage_unavailable", "S3 down", true));
        // A redelivery of the last attempt after a crash (before its offset was committed) changes nothing.
        view.onEvent(new GenerationEvent.Started("a", at(90), 4, "w1"));
        view.onEvent(completed("a", 4, "k"));
        assertThat(view.get("a")).contains(failed);
    }

    @Test
    void anExpiredJobFailsWithoutEverRunning() {
        GenerationRequested withDeadline = new GenerationRequested("a", "p", null, 512, 512, 20, 7.5, null, null, 1,
                "tiny-random", T0, at(30));
        view.onRequest(withDeadline);
        view.onEvent(new GenerationEvent.Failed("a", at(31), 1, "expired", "deadline " + at(30) + " passed", false));
        JobStatus expired = view.get("a").orElseThrow();
        assertThat(expired.status()).isEqualTo(JobPhase.FAILED);
        assertThat(expired.error().reason()).isEqualTo("expired");
        assertThat(expired.request().deadline()).isEqualTo(at(30));
        assertThat(expired.worker()).isNull();
    }

    @Test
    void aRedeliveryOfTheSameAttemptToAnotherWorkerRestartsProgress() {
        view.onEvent(new GenerationEvent.Started("a", at(1), 1, "w1"));
        view.onEvent(new GenerationEvent.Progress("a", at(2), 1, 12, 20));
        // w1 was killed; the record went to w2 with the same attempt number.
        view.onEvent(new GenerationEvent.Started("a", at(40), 1, "w2"));
        JobStatus redelivered = view.get("a").orElseThrow();
        assertThat(redelivered.worker()).isEqualTo("w2");
        assertThat(redelivered.progress()).isNull();
        assertThat(redelivered.attempt()).isEqualTo(1);
        view.onEvent(new GenerationEvent.Progress("a", at(41), 1, 1, 20));
        assertThat(view.get("a").orElseThrow().progress()).isEqualTo(new JobStatus.Progress(1, 20));
        assertThat(view.get("a").orElseThrow().status()).isEqualTo(JobPhase.RUNNING);
    }

    @Test
    void progressWithoutAStartedEventStillMeansRunning() {
        view.onRequest(request("a"));
        view.onEvent(new GenerationEvent.Progress("a", at(2), 1, 1, 4));
        assertThat(view.get("a").orElseThrow().status()).isEqualTo(JobPhase.RUNNING);
    }

    @Test
    void jobsAreIndependent() {
        view.onRequest(request("a"));
        view.onRequest(request("b"));
        view.onEvent(completed("b", 1, "k"));
        assertThat(view.get("a").orElseThrow().status()).isEqualTo(JobPhase.QUEUED);
        assertThat(view.get("b").orElseThrow().status()).isEqualTo(JobPhase.SUCCEEDED);
        assertThat(view.size()).isEqualTo(2);
    }

    private static GenerationRequested request(String id) {
        return new GenerationRequested(id, "prompt " + id, null, 512, 512, 20, 7.5, null, null, 1, "tiny-random",
                T0);
    }

    private static GenerationEvent.Completed completed(String id, int attempt, String key) {
        return new GenerationEvent.Completed(id, at(3), attempt,
                List.of(new ImageRef("http://s3/" + key, "sdq-images", key, 512, 512, 7L, "image/png")),
                Map.of("denoise", 12.5), "w1", "cpu", null);
    }

    private static Instant at(int seconds) {
        return T0.plusSeconds(seconds);
    }
}
