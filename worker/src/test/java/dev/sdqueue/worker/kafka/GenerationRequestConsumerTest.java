package dev.sdqueue.worker.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Topics;
import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The worker application against a real broker, a real S3 server and real ORT sessions on the tiny model. */
@QuarkusTest
@WithTestResource(value = WorkerStackResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class GenerationRequestConsumerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TestHTTPResource("/q/health")
    URL health;

    @Test
    void healthCoversTheModelTheTerminalStateIndexTheJobAndKafka() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(health.toString())).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("\"model\"").contains("\"terminal-state-index\"")
                .contains("\"terminal-state-index-reader\"").contains("\"accepting-jobs\"").contains("\"job\"")
                .contains("SmallRye Reactive Messaging - readiness check")
                .contains("\"generation-requests\": \"[OK]\"");
    }

    @Test
    void aValidRequestEndsCompletedWithItsPngInTheBucket() throws Exception {
        String jobId = UUID.randomUUID().toString();
        produce(jobId, EventJson.toBytes(new GenerationRequested(jobId, "a red cube", "blurry", 96, 64, 3, 7.5, 5L,
                "ddim", 2, null, Instant.now())));

        List<GenerationEvent> events = eventsUntilTerminal(jobId);

        assertThat(events).extracting(GenerationEvent::type)
                .containsExactly("started", "progress", "progress", "progress", "completed");
        GenerationEvent.Completed completed = (GenerationEvent.Completed) events.get(events.size() - 1);
        assertThat(completed.provider()).isEqualTo("cpu");
        assertThat(completed.images()).hasSize(2);
        for (int i = 0; i < 2; i++) {
            assertThat(completed.images().get(i).key()).isEqualTo("generations/" + jobId + "/" + i + ".png");
            assertThat(completed.images().get(i).seed()).isEqualTo(5L + i);
            BufferedImage png = ImageIO.read(new ByteArrayInputStream(object(completed.images().get(i).key())));
            assertThat(png.getWidth()).isEqualTo(96);
            assertThat(png.getHeight()).isEqualTo(64);
        }
    }

    @Test
    void thePartOfAPromptBeyondTheTextEncodersWindowIsReportedInTheCompletedEvent() throws Exception {
        String jobId = UUID.randomUUID().toString();
        String kept = "a cat ".repeat(36).trim();
        String prompt = kept + " wearing a tiny purple hat";
        produce(jobId, EventJson.toBytes(new GenerationRequested(jobId, prompt, null, 64, 64, 1, 1.0, 3L, null, null,
                null, null)));

        GenerationEvent.Completed completed = (GenerationEvent.Completed) last(eventsUntilTerminal(jobId));

        // 75 content tokens fit: "a cat" x 36 is 72 tokens, so the dropped tail starts inside the hat phrase.
        assertThat(completed.truncatedPrompt()).isNotBlank().endsWith("purple hat");
        assertThat(prompt).endsWith(completed.truncatedPrompt());
    }

    @Test
    void eventsContinueTheTraceOfTheRequest() throws Exception {
        String jobId = UUID.randomUUID().toString();
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.REQUESTS, jobId, EventJson.toBytes(
                new GenerationRequested(jobId, "a grey cat", null, 64, 64, 1, 1.0, 3L, null, null, null, null)));
        record.headers().add("traceparent", ("00-" + traceId + "-00f067aa0ba902b7-01").getBytes(StandardCharsets.UTF_8));
        send(record);

        List<ConsumerRecord<String, byte[]>> events = recordsUntilTerminal(jobId);

        assertThat(events).isNotEmpty().allSatisfy(event -> {
            Header traceparent = event.headers().lastHeader("traceparent");
            assertThat(traceparent).as("traceparent of %s", new String(event.value(), StandardCharsets.UTF_8))
                    .isNotNull();
            assertThat(new String(traceparent.value(), StandardCharsets.UTF_8)).startsWith("00-" + traceId + "-");
        });
    }

    @Test
    void aRequestOutsideTheLimitsFailsWithoutRetryAndTheNextJobStillRuns() throws Exception {
        String bad = UUID.randomUUID().toString();
        produce(bad, "{\"jobId\":\"%s\",\"prompt\":\"p\",\"width\":100,\"scheduler\":\"k_dpm\"}".formatted(bad)
                .getBytes(StandardCharsets.UTF_8));
        String malformed = UUID.randomUUID().toString();
        produce(malformed, "{not json".getBytes(StandardCharsets.UTF_8));
        String good = UUID.randomUUID().toString();
        produce(good, EventJson.toBytes(new GenerationRequested(good, "a blue sphere", null, null, null, 2, null,
                null, null, null, null, null)));

        GenerationEvent.Failed invalid = (GenerationEvent.Failed) last(eventsUntilTerminal(bad));
        assertThat(invalid.reason()).isEqualTo("invalid");
        assertThat(invalid.retriable()).isFalse();
        assertThat(invalid.message()).contains("width").contains("scheduler");
        GenerationEvent.Failed unreadable = (GenerationEvent.Failed) last(eventsUntilTerminal(malformed));
        assertThat(unreadable.reason()).isEqualTo("not_json");
        assertThat(unreadable.retriable()).isFalse();
        GenerationEvent.Completed completed = (GenerationEvent.Completed) last(eventsUntilTerminal(good));
        assertThat(completed.images()).singleElement().satisfies(image -> {
            assertThat(image.width()).isEqualTo(128);
            assertThat(image.seed()).isNotNegative();
        });
    }

    private static GenerationEvent last(List<GenerationEvent> events) {
        return events.get(events.size() - 1);
    }

    private static void produce(String key, byte[] value) throws Exception {
        send(new ProducerRecord<>(Topics.REQUESTS, key, value));
    }

    private static void send(ProducerRecord<String, byte[]> record) throws Exception {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                Map.of("bootstrap.servers", WorkerStackResource.stack.bootstrapServers(), "acks", "all"),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(record).get();
        }
    }

    private static List<GenerationEvent> eventsUntilTerminal(String jobId) throws Exception {
        List<GenerationEvent> events = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : recordsUntilTerminal(jobId)) {
            events.add(EventJson.fromBytes(record.value(), GenerationEvent.class));
        }
        return events;
    }

    private static List<ConsumerRecord<String, byte[]>> recordsUntilTerminal(String jobId) throws Exception {
        List<ConsumerRecord<String, byte[]>> events = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                Map.of("bootstrap.servers", WorkerStackResource.stack.bootstrapServers()),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Instant deadline = Instant.now().plus(TIMEOUT);
            while (Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(300))) {
                    if (jobId.equals(record.key())) {
                        events.add(record);
                        if (EventJson.fromBytes(record.value(), GenerationEvent.class).terminal()) {
                            return events;
                        }
                    }
                }
            }
        }
        throw new AssertionError("no terminal event for " + jobId + "; got " + events);
    }

    private static byte[] object(String key) throws Exception {
        try (MinioClient client = MinioClient.builder().endpoint(WorkerStackResource.stack.s3Endpoint())
                .region(WorkerStackResource.stack.region())
                .credentials(WorkerStackResource.stack.accessKey(), WorkerStackResource.stack.secretKey()).build();
             InputStream in = client.getObject(GetObjectArgs.builder().bucket(WorkerStackResource.stack.bucket())
                     .object(key).build())) {
            return in.readAllBytes();
        }
    }
}
