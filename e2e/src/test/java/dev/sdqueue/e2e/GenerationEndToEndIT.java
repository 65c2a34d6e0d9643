package dev.sdqueue.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdqueue.local.LocalSystemCli;
import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Headers;
import dev.sdqueue.schema.Topics;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A prompt goes in over HTTP (or straight onto Kafka), a downloadable PNG comes out. Nothing is mocked. */
class GenerationEndToEndIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(4);

    @TempDir
    static Path workDir;
    static RunningSystem system;

    @BeforeAll
    static void startSystem() throws Exception {
        system = RunningSystem.start(workDir);
    }

    @AfterAll
    static void stopSystem() throws Exception {
        if (system != null) {
            system.close();
        }
    }

    @Test
    void twentyTwoVariedRequestsAllSucceedWithDownloadablePngsOfTheRequestedSize() throws Exception {
        String[] subjects = {"a cat wearing a hat", "a red fox in snow", "a lighthouse at dusk", "blue sports car"};
        String[] styles = {"in Van Gogh style", "watercolor", "pixel art", "photograph, 35mm"};
        int[][] sizes = {{512, 512}, {256, 384}, {320, 192}, {128, 128}, {448, 256}};
        String[] schedulers = {null, "pndm", "ddim", "euler", "euler_a"};
        Map<String, ObjectNode> submitted = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            ObjectNode body = EventJson.mapper().createObjectNode()
                    .put("prompt", subjects[i % subjects.length] + " " + styles[(i / 4) % styles.length])
                    .put("width", sizes[i % sizes.length][0]).put("height", sizes[i % sizes.length][1])
                    .put("steps", 3 + i % 5).put("seed", 1000L + i);
            if (schedulers[i % schedulers.length] != null) {
                body.put("scheduler", schedulers[i % schedulers.length]);
            }
            if (i % 3 == 0) {
                body.put("negativePrompt", "blurry, low quality");
            }
            if (i % 7 == 0) {
                body.put("numImages", 2);
            }
            submitted.put(submit(body), body);
        }
        // The same seed and parameters twice: the PNGs must be byte-identical.
        ObjectNode repeat = EventJson.mapper().createObjectNode().put("prompt", "a cat wearing a hat in Van Gogh style")
                .put("width", 256).put("height", 256).put("steps", 6).put("seed", 424242).put("guidanceScale", 6.0);
        String first = submit(repeat);
        String second = submit(repeat.deepCopy());
        submitted.put(first, repeat);
        submitted.put(second, repeat);

        Map<String, List<byte[]>> pngs = new HashMap<>();
        for (Map.Entry<String, ObjectNode> job : submitted.entrySet()) {
            JsonNode status = awaitTerminal(job.getKey());
            assertThat(status.path("status").asText()).as("job %s: %s", job.getKey(), status).isEqualTo("succeeded");
            ObjectNode request = job.getValue();
            int expectedImages = request.path("numImages").asInt(1);
            JsonNode images = status.path("images");
            assertThat(images).hasSize(expectedImages);
            List<byte[]> files = new ArrayList<>();
            for (JsonNode image : images) {
                assertThat(image.path("key").asText()).startsWith("generations/" + job.getKey() + "/");
                byte[] png = download(image.path("url").asText());
                BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(png));
                assertThat(decoded).as("PNG of job %s", job.getKey()).isNotNull();
                assertThat(decoded.getWidth()).isEqualTo(request.path("width").asInt());
                assertThat(decoded.getHeight()).isEqualTo(request.path("height").asInt());
                assertThat(image.path("width").asInt()).isEqualTo(decoded.getWidth());
                files.add(png);
            }
            pngs.put(job.getKey(), files);
        }
        assertThat(pngs.get(first).get(0)).isEqualTo(pngs.get(second).get(0));
        assertThat(pngs.get(first).get(0)).isNotEqualTo(pngs.values().stream()
                .filter(list -> list != pngs.get(first) && list != pngs.get(second)).findFirst().orElseThrow().get(0));
    }

    @Test
    void aRequestProducedStraightOntoKafkaIsProcessedAndItsEventsArePublished() throws Exception {
        String jobId = "plain-" + UUID.randomUUID();
        GenerationRequested request = new GenerationRequested(jobId, "a green frog on a leaf", null, 192, 128, 4,
                5.0, 7L, "euler", null, null, Instant.now());
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, system.stack.bootstrapServers());
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps, new StringSerializer(),
                new ByteArraySerializer())) {
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.REQUESTS, jobId,
                    EventJson.toBytes(request));
            record.headers().add(Headers.CONTENT_TYPE, Headers.JSON.getBytes(StandardCharsets.UTF_8));
            producer.send(record).get();
        }

        List<ConsumerRecord<String, byte[]>> events = eventsOf(jobId);
        List<GenerationEvent> parsed = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : events) {
            parsed.add(EventJson.fromBytes(record.value(), GenerationEvent.class));
            GenerationEvent event = parsed.get(parsed.size() - 1);
            assertThat(header(record, Headers.CE_TYPE)).isEqualTo(Headers.eventType(event.type()));
            assertThat(header(record, Headers.CE_SPECVERSION)).isEqualTo("1.0");
            assertThat(header(record, Headers.CE_ID)).isNotBlank();
            assertThat(header(record, Headers.CE_SOURCE)).contains("e2e-worker");
            assertThat(header(record, Headers.CE_TIME)).isNotBlank();
        }
        assertThat(parsed.get(0)).isInstanceOf(GenerationEvent.Started.class);
        assertThat(parsed).filteredOn(GenerationEvent::terminal).hasSize(1);
        GenerationEvent last = parsed.get(parsed.size() - 1);
        assertThat(last).isInstanceOf(GenerationEvent.Completed.class);
        GenerationEvent.Completed completed = (GenerationEvent.Completed) last;
        assertThat(completed.images()).singleElement().satisfies(image -> {
            assertThat(image.key()).isEqualTo("generations/" + jobId + "/0.png");
            assertThat(image.seed()).isEqualTo(7L);
        });
        // At most one progress event per sdq.pipeline.progress-interval (0.5 s), and always one for the last step.
        assertThat(parsed).filteredOn(e -> e instanceof GenerationEvent.Progress)
                .extracting(e -> ((GenerationEvent.Progress) e).step()).isNotEmpty().isSorted().endsWith(4);
        assertThat(parsed).filteredOn(e -> e instanceof GenerationEvent.Progress)
                .allSatisfy(e -> assertThat(((GenerationEvent.Progress) e).totalSteps()).isEqualTo(4));
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(download(completed.images().get(0).url())));
        assertThat(png.getWidth()).isEqualTo(192);
        assertThat(png.getHeight()).isEqualTo(128);
        // The dispatcher's status view, fed by the same topics, knows the job although it never saw the request.
        assertThat(awaitTerminal(jobId).path("status").asText()).isEqualTo("succeeded");
    }

    @Test
    void theLaunchersDemoSubmitsFollowsPrintsThePresignedUrlAndSavesThePng(@TempDir Path out) throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        int exit;
        try (PrintStream console = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(console);
            System.setErr(console);
            exit = LocalSystemCli.run("demo", "a lighthouse at dusk", "--steps", "3", "--size", "128x96", "--seed",
                    "11", "--dispatcher-url", system.dispatcher.uri("").toString(), "--out", out.toString());
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        originalOut.print(output);

        assertThat(exit).as(output).isZero();
        Matcher accepted = Pattern.compile("accepted: job (\\S+) \\(/v1/generations/\\1\\)").matcher(output);
        assertThat(accepted.find()).as(output).isTrue();
        String id = accepted.group(1);
        assertThat(output).contains("\"width\":128,\"height\":96").contains("succeeded")
                .containsPattern("image 0: " + Pattern.quote(system.stack.s3Endpoint() + "/" + system.stack.bucket()
                        + "/generations/" + id + "/0.png?") + ".*X-Amz-Signature=")
                .containsPattern("saved to .*" + Pattern.quote(id + "-0.png")).containsPattern("done in \\d+ s");
        BufferedImage png = ImageIO.read(out.resolve(id + "-0.png").toFile());
        assertThat(png.getWidth()).isEqualTo(128);
        assertThat(png.getHeight()).isEqualTo(96);
    }

    private static String submit(ObjectNode body) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(system.dispatcher.uri("/v1/generations"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode accepted = EventJson.mapper().readTree(response.body());
        String id = accepted.path("id").asText();
        assertThat(response.headers().firstValue("Location")).hasValueSatisfying(
                location -> assertThat(location).endsWith("/v1/generations/" + id));
        return id;
    }

    private static JsonNode awaitTerminal(String jobId) throws Exception {
        Instant deadline = Instant.now().plus(JOB_TIMEOUT);
        JsonNode status = null;
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                    system.dispatcher.uri("/v1/generations/" + jobId)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                status = EventJson.mapper().readTree(response.body());
                String state = status.path("status").asText();
                if (state.equals("succeeded") || state.equals("failed")) {
                    return status;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("job " + jobId + " not finished within " + JOB_TIMEOUT + ", last status " + status
                + "\nworker log:\n" + system.worker.tail(40));
    }

    private static byte[] download(String url) throws Exception {
        HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as("GET %s", url).isEqualTo(200);
        return response.body();
    }

    /** All events of one job, read from the topic until its terminal event. */
    private static List<ConsumerRecord<String, byte[]>> eventsOf(String jobId) throws Exception {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, system.stack.bootstrapServers());
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.EVENTS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Instant deadline = Instant.now().plus(JOB_TIMEOUT);
            while (Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (jobId.equals(record.key())) {
                        found.add(record);
                        if (EventJson.fromBytes(record.value(), GenerationEvent.class).terminal()) {
                            return found;
                        }
                    }
                }
            }
        }
        throw new AssertionError("no terminal event for " + jobId + " within " + JOB_TIMEOUT + "; got " + found.size()
                + " events\nworker log:\n" + system.worker.tail(40));
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
