package dev.sdqueue.worker.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.ImageRef;
import dev.sdqueue.schema.RequestDefaults;
import dev.sdqueue.schema.RequestLimits;
import dev.sdqueue.schema.RequestValidator;
import dev.sdqueue.worker.messaging.EventPublisher;
import dev.sdqueue.worker.storage.ImageStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The handler's decisions, with the model, the store and Kafka faked (the real ones run in the e2e suite). */
class GenerationJobHandlerTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T12:00:00Z"), ZoneOffset.UTC);
    private final RecordingEvents events = new RecordingEvents();
    private final FakeStore store = new FakeStore();
    private final FakeGenerator generator = new FakeGenerator();
    private final RequestDefaults defaults = new RequestDefaults(256, 128, 5, 7.5, 1, null, "tiny-random");
    private final GenerationJobHandler handler = new GenerationJobHandler(generator, store, events,
            new RequestValidator(RequestLimits.DEFAULTS), defaults, "w1", 2, CLOCK);

    private static GenerationRequested request(String scheduler, Long seed, Integer numImages) {
        return new GenerationRequested("job-1", "a cat", null, null, null, null, null, seed, scheduler, numImages,
                null, null);
    }

    @Test
    void fillsDefaultsRunsTheModelStoresEveryImageAndPublishesStartedProgressCompleted() {
        handler.handle(request("euler", 99L, 2), 1);

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
    }

    @Test
    void drawsAndReportsASeedWhenTheRequestHasNone() {
        handler.handle(request(null, null, null), 1);

        long seed = generator.inputs.get(0).seed();
        assertThat(seed).isBetween(0L, (1L << 53) - 1);
        GenerationEvent.Completed completed = (GenerationEvent.Completed) events.sent.get(events.sent.size() - 1);
        assertThat(completed.images().get(0).seed()).isEqualTo(seed);
    }

    @Test
    void aRequestTheWorkerCannotServeFailsOnceAndNeverReachesTheModel() {
        handler.handle(new GenerationRequested("job-1", "a cat", null, 100, null, null, null, null, "lcm", null,
                "sdxl", null), 3);

        assertThat(generator.inputs).isEmpty();
        assertThat(events.sent).singleElement().isInstanceOfSatisfying(GenerationEvent.Failed.class, failed -> {
            assertThat(failed.reason()).isEqualTo("invalid");
            assertThat(failed.retriable()).isFalse();
            assertThat(failed.attempt()).isEqualTo(3);
            assertThat(failed.message()).contains("width").contains("model").contains("scheduler");
        });
    }

    @Test
    void aStorageFailureIsReportedAsRetriableAndNothingIsReportedCompleted() {
        store.failing = true;

        handler.handle(request(null, 1L, null), 1);

        assertThat(events.sent).extracting(GenerationEvent::type).doesNotContain("completed");
        GenerationEvent last = events.sent.get(events.sent.size() - 1);
        assertThat(last).isInstanceOfSatisfying(GenerationEvent.Failed.class, failed -> {
            assertThat(failed.reason()).isEqualTo("storage_unavailable");
            assertThat(failed.retriable()).isTrue();
        });
    }

    @Test
    void aModelFailureIsReportedAsAnInferenceError() {
        generator.failing = true;

        handler.handle(request(null, 1L, null), 1);

        GenerationEvent last = events.sent.get(events.sent.size() - 1);
        assertThat(last).isInstanceOfSatisfying(GenerationEvent.Failed.class,
                failed -> assertThat(failed.reason()).isEqualTo("inference_failed"));
        assertThat(store.keys).isEmpty();
    }

    private static final class RecordingEvents implements EventPublisher {
        final List<GenerationEvent> sent = new ArrayList<>();
        final List<String> awaited = new ArrayList<>();

        @Override
        public void publish(GenerationEvent event) {
            sent.add(event);
            awaited.add(event.type());
        }

        @Override
        public void publishAsync(GenerationEvent event) {
            sent.add(event);
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
        boolean failing;

        @Override
        public Output generate(Input input, StepProgress progress) throws GenerationException {
            inputs.add(input);
            if (failing) {
                throw new GenerationException("inference_failed", true, "UNet exploded", null);
            }
            for (int step = 1; step <= input.steps(); step++) {
                progress.onStep(step, input.steps());
            }
            List<Image> images = new ArrayList<>();
            for (int i = 0; i < input.numImages(); i++) {
                images.add(new Image(new byte[] {(byte) i}, input.width(), input.height(), input.seed() + i));
            }
            return new Output(images, Map.of("denoiseMs", 1.0), null);
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
