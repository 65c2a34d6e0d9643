package dev.sdqueue.worker.kafka;

import dev.sdqueue.local.LocalStack;
import dev.sdqueue.models.TinyRandomModel;
import dev.sdqueue.schema.Topics;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;

/**
 * A real Kafka broker and S3Proxy on free ports, and the tiny-random model generated into target/. S3 is reached
 * through a {@link TcpGate} that tests shut to make it unavailable. Retries go through two short retry topics
 * created here ({@link #RETRY_TOPICS}: 1 s and 2 s, so three attempts in all), and the request topic accepts
 * records of up to 8 MiB, the DLQ up to 4 MiB, so that oversized poison can be tested both ways.
 */
public final class WorkerStackResource implements QuarkusTestResourceLifecycleManager {
    /** The worker's one retry setting; the topics below are created from the same value. */
    static final String RETRY_DELAYS = "1000ms,2000ms";
    static final List<String> RETRY_TOPICS = List.of(Topics.retry(1000), Topics.retry(2000));
    static final int REQUEST_TOPIC_MAX_BYTES = 8 * 1024 * 1024;
    static final int DLQ_MAX_BYTES = 4 * 1024 * 1024;
    /** Jobs whose {@code completed} event is on the topic before the worker starts, one per events partition. */
    static final List<String> FINISHED_BEFORE_START = new java.util.concurrent.CopyOnWriteArrayList<>();
    static volatile LocalStack stack;
    static volatile TcpGate s3Gate;

    @Override
    public Map<String, String> start() {
        try {
            Path model = Path.of("target", "test-models", TinyRandomModel.NAME).toAbsolutePath();
            Files.createDirectories(model.getParent());
            TinyRandomModel.write(model);
            stack = LocalStack.forTests().start();
            prepareTopics(stack.bootstrapServers());
            FINISHED_BEFORE_START.clear(); // a test profile restarts the stack: only this broker's history counts
            publishHistory(stack.bootstrapServers());
            s3Gate = new TcpGate(URI.create(stack.s3Endpoint()).getPort());
            s3Gate.open();
            Map<String, String> config = new HashMap<>(stack.quarkusConfig());
            config.put("sdq.storage.endpoint", "http://127.0.0.1:" + s3Gate.port());
            config.put("sdq.storage.timeout", "PT3S");
            config.put("sdq.model.dir", model.toString());
            config.put("sdq.worker.id", "test-worker");
            config.put("sdq.worker.retry-backoff", "PT0.2S");
            config.put("sdq.worker.shutdown-grace", "PT5S");
            config.put("sdq.defaults.width", "128");
            config.put("sdq.defaults.height", "128");
            config.put("sdq.retry.delays", RETRY_DELAYS);
            return config;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the worker's test stack", e);
        }
    }

    /** The short retry topics (as many partitions as the request topic) and the larger size limits. */
    private static void prepareTopics(String bootstrapServers) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            int partitions = admin.describeTopics(List.of(Topics.REQUESTS)).allTopicNames().get()
                    .get(Topics.REQUESTS).partitions().size();
            admin.createTopics(RETRY_TOPICS.stream().map(t -> new NewTopic(t, partitions, (short) 1)).toList())
                    .all().get();
            Map<ConfigResource, Collection<AlterConfigOp>> sizes = Map.of(
                    new ConfigResource(ConfigResource.Type.TOPIC, Topics.REQUESTS), maxMessageBytes(REQUEST_TOPIC_MAX_BYTES),
                    new ConfigResource(ConfigResource.Type.TOPIC, Topics.DEAD_LETTER), maxMessageBytes(DLQ_MAX_BYTES));
            admin.incrementalAlterConfigs(sizes).all().get();
        }
    }

    /**
     * A terminal event on every partition of the events topic before the worker starts: its index of ended jobs must
     * read that history (a worker joining a running system), not start at the end of each partition.
     */
    private static void publishHistory(String bootstrapServers) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers));
             org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer =
                     new org.apache.kafka.clients.producer.KafkaProducer<>(
                             Map.of("bootstrap.servers", bootstrapServers, "acks", "all"),
                             new org.apache.kafka.common.serialization.ByteArraySerializer(),
                             new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            int partitions = admin.describeTopics(List.of(Topics.EVENTS)).allTopicNames().get()
                    .get(Topics.EVENTS).partitions().size();
            for (int partition = 0; partition < partitions; partition++) {
                String jobId = java.util.UUID.randomUUID().toString();
                dev.sdqueue.schema.GenerationEvent.Completed done = new dev.sdqueue.schema.GenerationEvent.Completed(
                        jobId, java.time.Instant.now(), 1, List.of(new dev.sdqueue.schema.ImageRef("http://s3/x",
                        "sdq-images", "generations/" + jobId + "/0.png", 64, 64, 5L, "image/png")), Map.of(),
                        "history-worker", "cpu", null);
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(Topics.EVENTS, partition,
                        jobId.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        dev.sdqueue.schema.EventJson.toBytes(done))).get();
                FINISHED_BEFORE_START.add(jobId);
            }
        }
    }

    private static Collection<AlterConfigOp> maxMessageBytes(int bytes) {
        return List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", Integer.toString(bytes)),
                AlterConfigOp.OpType.SET));
    }

    @Override
    public void stop() {
        try {
            if (s3Gate != null) {
                s3Gate.close();
            }
        } catch (Exception e) {
            // the stack below is stopped regardless
        }
        if (stack != null) {
            stack.close();
        }
    }
}
