package dev.sdqueue.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.Http;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.errors.ErrorResponseException;
import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** One private stack on free ports for the whole class: real broker, real S3Proxy. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalStackTest {
    private static final int PARTITIONS = 4; // not the default 3, so the test sees the setting applied

    private static LocalStack stack;

    @BeforeAll
    static void startStack() {
        stack = LocalStack.create(LocalStackConfig.forTests().withPartitions(PARTITIONS)).start();
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void createsEveryContractTopicWithTheConfiguredPartitions() throws Exception {
        try (Admin admin = KafkaServer.admin(stack.bootstrapServers())) {
            Map<String, TopicDescription> topics = admin.describeTopics(ContractTopics.all()).allTopicNames()
                    .get(10, TimeUnit.SECONDS);
            Map<String, Integer> partitions = topics.values().stream()
                    .collect(Collectors.toMap(TopicDescription::name, t -> t.partitions().size()));
            assertThat(partitions).containsOnly(
                    Map.entry("sdq.generation.requests", PARTITIONS),
                    Map.entry("sdq.generation.requests_retry_10000", PARTITIONS),
                    Map.entry("sdq.generation.requests_retry_60000", PARTITIONS),
                    Map.entry("sdq.generation.requests_retry_300000", PARTITIONS),
                    Map.entry("sdq.generation.events", PARTITIONS),
                    Map.entry("sdq.generation.requests.dlq", 1));
        }
    }

    @Test
    @Order(Integer.MAX_VALUE) // grows the topics the first test counts
    void topicCreationIsIdempotentAndGrowsButNeverShrinks() throws Exception {
        try (Admin admin = KafkaServer.admin(stack.bootstrapServers())) {
            KafkaServer.ensureTopics(admin, 2);
            assertThat(partitionsOf(admin, ContractTopics.REQUESTS)).isEqualTo(PARTITIONS);
            KafkaServer.ensureTopics(admin, PARTITIONS + 1);
            assertThat(partitionsOf(admin, ContractTopics.EVENTS)).isEqualTo(PARTITIONS + 1);
            assertThat(partitionsOf(admin, ContractTopics.DEAD_LETTER)).isEqualTo(1);
        }
    }

    @Test
    void producesAndConsumesARequestRecord() throws Exception {
        String key = "job-" + UUID.randomUUID();
        String value = "{\"jobId\":\"" + key + "\",\"prompt\":\"a red cube\"}";
        RecordMetadata sent;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            sent = producer.send(new ProducerRecord<>(ContractTopics.REQUESTS, key, value)).get(30, TimeUnit.SECONDS);
        }
        assertThat(sent.partition()).isBetween(0, PARTITIONS - 1);

        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "local-stack-test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(ContractTopics.REQUESTS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (received.stream().noneMatch(r -> r.key().equals(key)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(received::add);
            }
        }
        assertThat(received).filteredOn(r -> r.key().equals(key)).singleElement()
                .satisfies(r -> {
                    assertThat(r.value()).isEqualTo(value);
                    assertThat(r.partition()).isEqualTo(sent.partition());
                    assertThat(r.offset()).isEqualTo(sent.offset());
                });
    }

    @Test
    void storesAndReturnsObjectsOnlyForSignedRequests() throws Exception {
        byte[] png = ("not really a png " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        String key = "generations/" + UUID.randomUUID() + "/0.png";
        String objectUrl = stack.s3Endpoint() + "/" + stack.bucket() + "/" + key;
        HttpClient http = HttpClient.newHttpClient();
        try (MinioClient s3 = minio(stack.accessKey(), stack.secretKey())) {
            s3.putObject(PutObjectArgs.builder().bucket(stack.bucket()).object(key)
                    .stream(new ByteArrayInputStream(png), (long) png.length, -1L).contentType("image/png").build());
            try (GetObjectResponse object = s3.getObject(GetObjectArgs.builder().bucket(stack.bucket()).object(key)
                    .build())) {
                assertThat(object.readAllBytes()).isEqualTo(png);
                assertThat(object.headers().get("Content-Type")).isEqualTo("image/png");
            }
            // What the worker hands out: a presigned GET that needs no credentials.
            String presigned = s3.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder().method(Http.Method.GET)
                    .bucket(stack.bucket()).object(key).expiry(10, TimeUnit.MINUTES).build());
            HttpResponse<byte[]> viaPresigned = http.send(HttpRequest.newBuilder(URI.create(presigned)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(viaPresigned.statusCode()).isEqualTo(200);
            assertThat(viaPresigned.body()).isEqualTo(png);
        }

        HttpResponse<String> anonymousGet = http.send(HttpRequest.newBuilder(URI.create(objectUrl)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymousGet.statusCode()).isEqualTo(403);
        HttpResponse<String> anonymousList = http.send(HttpRequest.newBuilder(URI.create(stack.s3Endpoint() + "/"
                + stack.bucket() + "?list-type=2")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymousList.statusCode()).as(anonymousList.body()).isEqualTo(403);
        HttpResponse<String> anonymousPut = http.send(HttpRequest.newBuilder(URI.create(objectUrl + ".evil"))
                .PUT(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymousPut.statusCode()).isEqualTo(403);

        try (MinioClient wrongSecret = minio(stack.accessKey(), "not-the-secret")) {
            assertThatThrownBy(() -> wrongSecret.getObject(GetObjectArgs.builder().bucket(stack.bucket()).object(key)
                    .build()).close())
                    .isInstanceOfSatisfying(ErrorResponseException.class,
                            e -> assertThat(e.response().code()).isEqualTo(403));
        }
    }

    @Test
    void refusesASecondStackInTheSameWorkDir() {
        LocalStack second = LocalStack.create(stack.config(), line -> { });
        assertThatThrownBy(second::start)
                .isInstanceOf(LocalStackException.class)
                .hasMessageContaining("already runs in " + stack.workDir());
    }

    @Test
    void startOrReuseDoesNotAdoptAPrivateStack() {
        // Only a detached (./sdq up) stack is shared; a test's private stack may vanish under another user.
        assertThatThrownBy(() -> LocalStack.startOrReuse(stack.config()))
                .isInstanceOf(LocalStackException.class)
                .hasMessageContaining("already runs");
    }

    @Test
    void namesATakenPortAndHowToFindItsOwner() throws Exception {
        try (ServerSocket squatter = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            int port = squatter.getLocalPort();
            LocalStackConfig config = LocalStackConfig.forTests();
            config = config.withPorts(config.kafkaPort(), config.controllerPort(), port);
            LocalStack blocked = LocalStack.create(config, line -> { });
            assertThatThrownBy(blocked::start)
                    .isInstanceOf(LocalStackException.class)
                    .hasMessageContaining("port " + port + " (for S3Proxy) is already in use")
                    .hasMessageContaining("ss -ltnp")
                    .hasMessageContaining("SDQ_S3_PORT");
            // A failed start cleans up after itself: the temporary work dir is gone.
            assertThat(config.workDir()).doesNotExist();
        }
    }

    private static int partitionsOf(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic)
                .partitions().size();
    }

    private static MinioClient minio(String accessKey, String secretKey) {
        return MinioClient.builder().endpoint(stack.s3Endpoint()).credentials(accessKey, secretKey)
                .region(stack.region()).build();
    }
}
