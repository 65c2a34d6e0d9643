package dev.sdqueue.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Fault-injection controls: the broker and S3Proxy stopped (gracefully or by SIGKILL) and started again in place. */
class LocalStackControlsTest {
    private LocalStack stack;

    @BeforeEach
    void startStack() {
        stack = LocalStack.create(LocalStackConfig.forTests(), line -> { }).start();
    }

    @AfterEach
    void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aRestartedBrokerKeepsItsPortsTopicsAndRecordsUnderANewPid() throws Exception {
        long before = stack.kafkaPid();
        String first = send("before-restart");

        Duration downtime = stack.restartKafka(false);

        assertThat(stack.kafkaPid()).isNotEqualTo(before);
        assertThat(ProcessHandle.of(before).filter(ProcessHandle::isAlive)).as("old broker pid").isEmpty();
        assertThat(stack.isKafkaRunning()).isTrue();
        assertThat(downtime).isPositive();
        assertThat(StackState.read(stack.workDir().resolve("run")).orElseThrow().kafkaPid())
                .as("pid in the state file").isEqualTo(stack.kafkaPid());
        String second = send("after-restart");
        assertThat(readRequests(2)).containsExactly(first, second);
    }

    @Test
    void aKilledBrokerIsGoneAtOnceAndComesBackWithItsAcknowledgedRecords() throws Exception {
        String first = send("before-kill");
        long before = stack.kafkaPid();

        stack.stopKafka(true);

        assertThat(stack.isKafkaRunning()).isFalse();
        assertThat(ProcessHandle.of(before).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(Ports.isListening(stack.config().kafkaPort())).isFalse();
        assertThat(Ports.isListening(stack.config().controllerPort())).isFalse();
        assertThat(KafkaServer.answers(stack.bootstrapServers())).isFalse();

        long after = stack.startKafka();

        assertThat(after).isEqualTo(stack.kafkaPid()).isNotEqualTo(before);
        assertThat(stack.startKafka()).as("starting a running broker is a no-op").isEqualTo(after);
        assertThat(readRequests(1)).containsExactly(first);
    }

    @Test
    void s3ProxyStoppedRefusesConnectionsAndStartedAgainServesTheObjectsStoredBefore() throws Exception {
        byte[] png = ("image " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        String key = "generations/" + UUID.randomUUID() + "/0.png";
        try (MinioClient s3 = MinioClient.builder().endpoint(stack.s3Endpoint())
                .credentials(stack.accessKey(), stack.secretKey()).region(stack.region()).build()) {
            s3.putObject(PutObjectArgs.builder().bucket(stack.bucket()).object(key)
                    .stream(new ByteArrayInputStream(png), (long) png.length, -1L).build());
            long before = stack.s3ProxyPid();

            stack.stopS3Proxy(false);

            assertThat(stack.isS3ProxyRunning()).isFalse();
            assertThat(Ports.isListening(stack.config().s3Port())).isFalse();
            assertThatThrownBy(() -> s3.getObject(GetObjectArgs.builder().bucket(stack.bucket()).object(key).build())
                    .close()).hasRootCauseInstanceOf(java.net.ConnectException.class);

            stack.startS3Proxy();

            assertThat(stack.s3ProxyPid()).isNotEqualTo(before);
            assertThat(stack.s3ProxyPid()).isEqualTo(
                    StackState.read(stack.workDir().resolve("run")).orElseThrow().s3Pid());
            try (GetObjectResponse object = s3.getObject(GetObjectArgs.builder().bucket(stack.bucket()).object(key)
                    .build())) {
                assertThat(object.readAllBytes()).isEqualTo(png);
            }
        }
    }

    @Test
    void closeStopsTheRestartedServersToo() {
        stack.stopS3Proxy(true);
        stack.startS3Proxy();
        stack.restartKafka(true);
        List<Long> pids = List.of(stack.kafkaPid(), stack.s3ProxyPid());
        LocalStackConfig config = stack.config();

        stack.close();

        assertThat(pids).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                .as("pid %d", pid).isEmpty());
        assertThat(List.of(config.kafkaPort(), config.controllerPort(), config.s3Port()))
                .allSatisfy(port -> assertThat(Ports.isFree(port)).as("port %d free", port).isTrue());
        assertThat(config.workDir()).doesNotExist();
        assertThatThrownBy(() -> stack.startKafka()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void createsExtraTopicsWithTheConfiguredPartitions() throws Exception {
        stack.createTopics(List.of("sdq.generation.requests_retry_2000", ContractTopics.REQUESTS));
        stack.createTopics(List.of("sdq.generation.requests_retry_2000")); // idempotent
        try (Admin admin = KafkaServer.admin(stack.bootstrapServers())) {
            assertThat(admin.describeTopics(List.of("sdq.generation.requests_retry_2000")).allTopicNames()
                    .get(10, TimeUnit.SECONDS).get("sdq.generation.requests_retry_2000").partitions())
                    .hasSize(stack.config().partitions());
        }
    }

    private String send(String prefix) throws Exception {
        String value = prefix + "-" + UUID.randomUUID();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                new StringSerializer(), new StringSerializer())) {
            // One key: one partition, so the read-back order is the send order.
            producer.send(new ProducerRecord<>(ContractTopics.REQUESTS, "same-key", value)).get(60, TimeUnit.SECONDS);
        }
        return value;
    }

    private List<String> readRequests(int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "controls-test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(ContractTopics.REQUESTS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }
}
