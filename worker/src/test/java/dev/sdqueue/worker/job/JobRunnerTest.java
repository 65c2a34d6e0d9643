package dev.sdqueue.worker.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.pipeline.StageTimings;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.ImageRef;
import dev.sdqueue.schema.RequestDefaults;
import dev.sdqueue.schema.RequestLimits;
import dev.sdqueue.schema.RequestValidator;
import dev.sdqueue.worker.storage.ImageStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A job runner's outcomes and events, with the model, the store, the terminal-state index and Kafka faked. */
class JobRunnerTest {
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private final RecordingEvents events = new RecordingEvents();
    private final FakeStore store = new FakeStore();
    private final FakeGenerator generator = new FakeGenerator();
    private final FakeTerminals terminals = new FakeTerminals();
    private final JobRunner handler = runner(generator, store, events, terminals,
            "w1", 2, Duration.ZERO, StageRecorder.NONE, Runnable::run);

    private static JobRunner runner(ImageGenerator generator, ImageStore store, EventPublisher events,
                                    TerminalStates terminals, String workerId, int progressEvery,
                                    Duration progressInterval, StageRecorder stages, Executor lookups) {
        return new JobRunner(generator, store, events, terminals, new RequestValidator(RequestLimits.DEFAULTS),
                new RequestDefaults(256, 128, 5, 7.5, 1, null, "tiny-random"),
                new JobRunner.Settings(workerId, progressEvery, progressInterval), CLOCK, stages, lookups);
    }

    private static GenerationRequested request(String scheduler, Long seed, Integer numImages) {
        return new GenerationRequested("job-1", "a cat", null, null, null, null, null, seed, scheduler, numImages,
                null, null);
    }

    private static GenerationRequested withDeadline(Instant deadline) {
        return new GenerationRequested("job-1", "a cat", null, null, null, null, null, 1L, null, null, null, null,
                deadline);
    }

    @Test
    void fillsDefaultsRunsTheModelStoresEveryImageAndPublishesStartedProgressCompleted() {
        JobOutcome outcome = handler.run(request("euler", 99L, 2), JobAttempt.of(1));

        assertThat(outcome).isEqualTo(new JobOutcome.Completed(2));
        assertThat(generator.inputs).singleElement().isEqualTo(new ImageGenerator.Input("a cat", "", 256, 128, 5,
                7.5, 99L, "euler", 2));
        assertThat(store.keys).containsExactly("job-1/0", "job-1/1");
        assertThat(events.sent).extracting(GenerationEvent::type)
                .containsExactly("started", "progress", "progress", "progress", "completed");
        assertThat(events.sent).filteredOn(e -> e instanceof GenerationEvent.Progress)
                .extracting(e -> ((GenerationEvent.Progress) e).step()).containsExactly(2, 4, 5);
        GenerationEvent.Completed completed = (GenerationEvent.Completed) events.sent.get(4);
        assertThat(completed.images()).extracting(ImageRef::seed).containsExactly(99L, 100L);
        assertThat(completed.timings()).containsKeys("denoiseMs", "uploadMs");
        assertThat(completed.provider()).isEqualTo("fake");
        assertThat(events.awaited).containsExactly("started", "completed");
        assertThat(terminals.published).containsEntry("job-1", "completed");
    }

    @Test
    void theAttemptNumberIsInEveryEvent() {
        handler.run(request(null, 1L, null), JobAttempt.of(3));

        assertThat(events.sent).isNotEmpty().allSatisfy(e -> assertThat(e.attempt()).isEqualTo(3));
    }

    @Test
    void aRequestWithoutSeedGetsOneDerivedFromItsJobIdSoARedeliveryRedoesTheSameImages() {
        FakeGenerator otherModel = new FakeGenerator();
        JobRunner otherWorker = runner(otherModel, new FakeStore(),
                new RecordingEvents(), new FakeTerminals(), "w2", 2, Duration.ZERO, StageRecorder.NONE, Runnable::run);

        handler.run(request(null, null, null), JobAttempt.of(1));
        otherWorker.run(request(null, null, null), JobAttempt.of(2));

        long seed = generator.inputs.get(0).seed();
        assertThat(seed).isBetween(0L, (1L << 53) - 1).isEqualTo(JobRunner.seedFor("job-1"));
        assertThat(otherModel.inputs.get(0).seed()).isEqualTo(seed);
        assertThat(JobRunner.seedFor("job-2")).isNotEqualTo(seed);
        GenerationEvent.Completed completed = (GenerationEvent.Completed) events.sent.get(events.sent.size() - 1);
        assertThat(completed.images().get(0).seed()).isEqualTo(seed);
    }

    @Test
    void aRequestTheWorkerCannotServeIsRejectedWithoutAnyEventAndNeverReachesTheModel() {
        JobOutcome outcome = handler.run(new GenerationRequested("job-1", "a cat", null, 100, null, null, null, null,
                "lcm", null, "sdxl", null), JobAttempt.of(1));

        assertThat(generator.inputs).isEmpty();
        assertThat(events.sent).isEmpty(); // the consumer dead-letters it first, then calls fail()
        assertThat(outcome).isInstanceOfSatisfying(JobOutcome.Rejected.class, rejected -> {
            assertThat(rejected.reason()).isEqualTo("invalid");
            assertThat(rejected.message()).contains("width").contains("model").contains("scheduler");
        });
    }

    @Test
    void aStepCountTheModelCannotRunIsRejectedWithTheModelsReason() {
        generator.failure = new ImageGenerator.GenerationException("invalid_request", false, "pndm: 1000 steps", null);

        JobOutcome outcome = handler.run(request(null, 1L, null), JobAttempt.of(1));

        assertThat(outcome).isEqualTo(new JobOutcome.Rejected("invalid_request", "pndm: 1000 steps"));
        assertThat(events.sent).extracting(GenerationEvent::type).doesNotContain("completed", "failed");
    }

    @Test
    void aStorageFailureIsTransientAndPublishesNoTerminalEvent() {
        store.failing = true;

        JobOutcome outcome = handler.run(request(null, 1L, null), JobAttempt.of(1));

        assertThat(outcome).isInstanceOfSatisfying(JobOutcome.Transient.class,
                t -> assertThat(t.reason()).isEqualTo("storage_unavailable"));
        assertThat(events.sent).extracting(GenerationEvent::type).doesNotContain("completed", "failed");
        assertThat(terminals.published).isEmpty();
    }

    @Test
    void aRetriableModelFailureIsTransient() {
        generator.failure = new ImageGenerator.GenerationException("inference_failed", true, "UNet exploded", null);

        JobOutcome outcome = handler.run(request(null, 1L, null), JobAttempt.of(1));

        assertThat(outcome).isInstanceOfSatisfying(JobOutcome.Transient.class,
                t -> assertThat(t.reason()).isEqualTo("inference_failed"));
        assertThat(store.keys).isEmpty();
    }

    @Test
    void anUnacknowledgedStartedEventIsTransientAndNothingIsStoredOrCompleted() {
        events.failOn = "started";

        JobOutcome outcome = handler.run(request(null, 1L, null), JobAttempt.of(1));

        // started is awaited only before storing (the model does not wait for the broker), so the run happened.
        assertThat(outcome).isInstanceOfSatisfying(JobOutcome.Transient.class,
                t -> assertThat(t.reason()).isEqualTo("event_publish_failed"));
        assertThat(store.keys).isEmpty();
        assertThat(events.sent).extracting(GenerationEvent::type).doesNotContain("completed");
        assertThat(terminals.published).isEmpty();
    }

    @Test
    void aJobThatAlreadyEndedIsSkippedWithoutRunningOrPublishing() {
        terminals.known.put("job-1", "completed");

        JobOutcome outcome = handler.run(request(null, 1L, null), JobAttempt.of(2));

        assertThat(outcome).isEqualTo(new JobOutcome.AlreadyTerminal("completed"));
        assertThat(generator.inputs).isEmpty();
        assertThat(events.sent).isEmpty();
    }

    @Test
    void aJobThatAnotherDeliveryFinishedMeanwhileDoesNotPublishASecondTerminalEvent() {
        generator.duringRun = () -> terminals.known.put("job-1", "completed");

        JobOutcome outcome = handler.run(request(null, 1L, null), JobAttempt.of(1));

        assertThat(outcome).isEqualTo(new JobOutcome.AlreadyTerminal("completed"));
        assertThat(events.sent).extracting(GenerationEvent::type).doesNotContain("completed", "failed");
    }

    @Test
    void anUnreadableEventTopicMeansTheJobCannotRunNow() {
        terminals.unavailable = true;

        JobOutcome outcome = handler.run(request(null, 1L, null), JobAttempt.of(1));

        assertThat(outcome).isInstanceOfSatisfying(JobOutcome.Transient.class,
                t -> assertThat(t.reason()).isEqualTo("events_unavailable"));
        assertThat(generator.inputs).isEmpty();
    }

    @Test
    void aJobDequeuedAfterItsDeadlineFailsExpiredWithoutRunning() {
        JobOutcome outcome = handler.run(withDeadline(NOW.minusSeconds(1)), JobAttempt.of(1));

        assertThat(outcome).isInstanceOf(JobOutcome.Expired.class);
        assertThat(generator.inputs).isEmpty();
        assertThat(events.sent).singleElement().isInstanceOfSatisfying(GenerationEvent.Failed.class, failed -> {
            assertThat(failed.reason()).isEqualTo("expired");
            assertThat(failed.retriable()).isFalse();
        });
        assertThat(terminals.published).containsEntry("job-1", "failed");
    }

    @Test
    void aJobBeforeItsDeadlineRuns() {
        assertThat(handler.run(withDeadline(NOW.plusSeconds(1)), JobAttempt.of(1)))
                .isInstanceOf(JobOutcome.Completed.class);
    }

    @Test
    void aRevokedJobStopsAtTheNextStepAndPublishesNothingFurther() {
        int[] steps = {0};
        JobAttempt attempt = new JobAttempt(1, () -> ++steps[0] > 3 ? JobAttempt.AbortReason.REVOKED
                : JobAttempt.AbortReason.NONE);

        JobOutcome outcome = handler.run(request(null, 1L, null), attempt);

        assertThat(outcome).isEqualTo(new JobOutcome.Aborted(JobAttempt.AbortReason.REVOKED));
        assertThat(store.keys).isEmpty();
        assertThat(events.sent).extracting(GenerationEvent::type).doesNotContain("completed", "failed");
        assertThat(generator.stepsRun).isLessThan(5);
    }

    @Test
    void aJobPastTheMaximumDurationIsATransientTimeout() {
        JobAttempt attempt = new JobAttempt(1, () -> generator.stepsRun >= 2 ? JobAttempt.AbortReason.TIMEOUT
                : JobAttempt.AbortReason.NONE);

        JobOutcome outcome = handler.run(request(null, 1L, null), attempt);

        assertThat(outcome).isInstanceOfSatisfying(JobOutcome.Transient.class,
                t -> assertThat(t.reason()).isEqualTo("timeout"));
    }

    @Test
    void failPublishesTheFinalFailureOnceAndNeverAfterAnotherTerminalEvent() throws Exception {
        assertThat(handler.terminalEvents().fail("job-1", 4, "storage_unavailable", "S3 down", true,
                JobAttempt.AbortSignal.NEVER)).isTrue();
        assertThat(handler.terminalEvents().fail("job-1", 4, "storage_unavailable", "S3 down", true,
                JobAttempt.AbortSignal.NEVER)).isFalse();
        terminals.known.put("job-2", "completed");
        assertThat(handler.terminalEvents().fail("job-2", 1, "not_json", "x", false,
                JobAttempt.AbortSignal.NEVER)).isFalse();

        assertThat(events.sent).singleElement().isInstanceOfSatisfying(GenerationEvent.Failed.class, failed -> {
            assertThat(failed.jobId()).isEqualTo("job-1");
            assertThat(failed.attempt()).isEqualTo(4);
            assertThat(failed.retriable()).isTrue();
        });
    }

    @Test
    void inferStopsAtDecodedImagesAndFinishEncodesStoresAndCompletes() {
        int[] encoded = {0};
        generator.pngSource = () -> {
            encoded[0]++;
            return new byte[] {1};
        };
        List<String> stagesSeen = new ArrayList<>();
        JobRunner timed = runner(generator, store, events, terminals,
                "w1", 2, Duration.ZERO, (stage, nanos) -> stagesSeen.add(stage.tag()), Runnable::run);

        JobRunner.Inference inference = timed.infer(request("euler", 5L, 2), JobAttempt.of(1));

        assertThat(inference).isInstanceOf(JobRunner.Inference.Pending.class);
        assertThat(encoded[0]).isZero();
        assertThat(store.keys).isEmpty();
        assertThat(events.sent).extracting(GenerationEvent::type).doesNotContain("completed");
        assertThat(stagesSeen).containsExactly("admit", "admission_wait", "tokenize", "text_encoder", "denoise",
                "vae_decode");

        assertThat(inference.finish()).isEqualTo(new JobOutcome.Completed(2));
        assertThat(encoded[0]).isEqualTo(2);
        assertThat(store.keys).containsExactly("job-1/0", "job-1/1");
        assertThat(stagesSeen).containsExactly("admit", "admission_wait", "tokenize", "text_encoder", "denoise",
                "vae_decode", "png", "upload", "publish");
        GenerationEvent.Completed completed = (GenerationEvent.Completed) events.sent.get(events.sent.size() - 1);
        assertThat(completed.timings()).containsKeys("inferenceMs", "pngEncodeMs", "uploadMs", "totalMs");
    }

    @Test
    void aJobThatEndsBeforeTheModelHasNothingLeftToFinish() {
        terminals.known.put("job-1", "completed");

        JobRunner.Inference inference = handler.infer(request(null, 1L, null), JobAttempt.of(1));

        assertThat(inference).isEqualTo(new JobRunner.Inference.Ended(
                new JobOutcome.AlreadyTerminal("completed")));
        assertThat(generator.inputs).isEmpty();
    }

    @Test
    void aSlowLookupDoesNotHoldTheModelBackAndAJobFoundEndedAtTheFirstStepPublishesNothing() {
        terminals.known.put("job-1", "completed");
        JobRunner slowLookups = runner(generator, store, events, terminals,
                "w1", 2, Duration.ZERO, StageRecorder.NONE,
                CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));

        JobOutcome outcome = slowLookups.run(request(null, 1L, null), JobAttempt.of(2));

        assertThat(outcome).isEqualTo(new JobOutcome.AlreadyTerminal("completed"));
        assertThat(generator.inputs).hasSize(1); // the model started before the answer came
        assertThat(generator.stepsRun).isEqualTo(1); // and stopped at the first step
        assertThat(events.sent).isEmpty();
        assertThat(store.keys).isEmpty();
    }

    @Test
    void aModelFailureOfAJobFoundEndedMeanwhileIsASkipNotARejection() {
        terminals.known.put("job-1", "completed");
        generator.failure = new ImageGenerator.GenerationException("invalid_size", false, "too big", null);
        JobRunner slowLookups = runner(generator, store, events, terminals,
                "w1", 2, Duration.ZERO, StageRecorder.NONE, CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));

        JobOutcome outcome = slowLookups.run(request(null, 1L, null), JobAttempt.of(1));

        assertThat(outcome).isEqualTo(new JobOutcome.AlreadyTerminal("completed"));
        assertThat(events.sent).isEmpty();
    }

    @Test
    void aSlowLookupForAJobThatDidNotEndLetsItRunAndPublishStartedFirst() {
        JobRunner slowLookups = runner(generator, store, events, terminals,
                "w1", 2, Duration.ZERO, StageRecorder.NONE,
                CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));

        JobOutcome outcome = slowLookups.run(request(null, 1L, null), JobAttempt.of(1));

        assertThat(outcome).isEqualTo(new JobOutcome.Completed(1));
        assertThat(events.sent).extracting(GenerationEvent::type).startsWith("started").endsWith("completed");
    }

    @Test
    void progressIsThrottledInTimeButTheLastStepAlwaysHasOne() {
        JobRunner throttled = runner(generator, store, events, terminals,
                "w1", 1, Duration.ofHours(1), StageRecorder.NONE, Runnable::run);

        throttled.run(request(null, 1L, null), JobAttempt.of(1));

        assertThat(events.sent).extracting(GenerationEvent::type).containsExactly("started", "progress", "completed");
        assertThat(((GenerationEvent.Progress) events.sent.get(1)).step()).isEqualTo(5);
    }

    private static final class RecordingEvents implements EventPublisher {
        final List<GenerationEvent> sent = new ArrayList<>();
        final List<String> awaited = new ArrayList<>();
        String failOn;

        @Override
        public void publish(GenerationEvent event) {
            if (event.type().equals(failOn)) {
                throw new IllegalStateException("broker timeout");
            }
            sent.add(event);
            awaited.add(event.type());
        }

        @Override
        public void publishAsync(GenerationEvent event) {
            sent.add(event);
        }
    }

    /** Knows what the test puts in {@code known} plus what the handler published. */
    private static final class FakeTerminals implements TerminalStates {
        final Map<String, String> known = new HashMap<>();
        final Map<String, String> published = new HashMap<>();
        boolean unavailable;

        @Override
        public Optional<String> terminalOf(String jobId) throws UnavailableException {
            if (unavailable) {
                throw new UnavailableException("broker away", null);
            }
            return Optional.ofNullable(known.get(jobId));
        }

        @Override
        public void published(String jobId, String type) {
            published.put(jobId, type);
            known.putIfAbsent(jobId, type);
        }
    }

    private static final class FakeStore implements ImageStore {
        final List<String> keys = new ArrayList<>();
        boolean failing;

        @Override
        public ImageRef putPng(String jobId, int index, byte[] png, int width, int height, long seed)
                throws StorageException {
            if (failing) {
                throw new StorageException("connection refused", null);
            }
            keys.add(jobId + "/" + index);
            return new ImageRef("http://s3/" + ImageStore.key(jobId, index), "b", ImageStore.key(jobId, index),
                    width, height, seed, "image/png");
        }
    }

    private static final class FakeGenerator implements ImageGenerator {
        final List<Input> inputs = new ArrayList<>();
        GenerationException failure;
        Runnable duringRun = () -> { };
        ImageGenerator.PngSource pngSource;
        int stepsRun;

        @Override
        public Output generate(Input input, StepProgress progress) throws GenerationException {
            inputs.add(input);
            if (failure != null) {
                throw failure;
            }
            for (int step = 1; step <= input.steps(); step++) {
                stepsRun = step;
                if (progress.onStep(step, input.steps()) == StepDecision.STOP) {
                    return Output.stoppedRun(StageTimings.ZERO);
                }
            }
            duringRun.run();
            List<Image> images = new ArrayList<>();
            for (int i = 0; i < input.numImages(); i++) {
                byte[] png = {(byte) i};
                images.add(pngSource != null ? new Image(pngSource, input.width(), input.height(), input.seed() + i)
                        : new Image(png, input.width(), input.height(), input.seed() + i));
            }
            return new Output(images, new StageTimings(Duration.ZERO, Duration.ZERO, List.of(),
                    Duration.ofMillis(1), Duration.ZERO, Duration.ZERO, Duration.ofMillis(1)), null, false);
        }

        @Override
        public List<String> supportedSchedulers() {
            return List.of("pndm", "euler");
        }

        @Override
        public String provider() {
            return "fake";
        }
    }
}
