package dev.sdqueue.follower;

import dev.sdqueue.local.LocalStack;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

/** A real broker (LocalStack) with plain clients to create topics and write records for the follower to read. */
final class TestBroker implements AutoCloseable {
    private final LocalStack stack;
    private final Admin admin;
    private KafkaProducer<String, String> producer;

    TestBroker() {
        stack = LocalStack.forTests().start();
        admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()));
        producer = producer();
    }

    /**
     * Not idempotent, one request in flight (so retries keep the order): an idempotent producer writing to a
     * partition created a moment ago was seen to get NOT_LEADER_OR_FOLLOWER, then OUT_OF_ORDER_SEQUENCE_NUMBER
     * until it timed out.
     */
    private KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1),
                new StringSerializer(), new StringSerializer());
    }

    /** Stops and starts the broker in place; the test producer is replaced, so no test inherits its state. */
    void restartKafka() {
        producer.close();
        stack.restartKafka(false);
        producer = producer();
    }

    String bootstrapServers() {
        return stack.bootstrapServers();
    }

    /** A topic of its own for one test. */
    String newTopic(int partitions) throws Exception {
        String name = unusedTopicName();
        createTopic(name, partitions);
        return name;
    }

    static String unusedTopicName() {
        return "follower-test-" + UUID.randomUUID();
    }

    void createTopic(String name, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }

    void addPartitions(String topic, int total) throws Exception {
        admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(total))).all().get(30, TimeUnit.SECONDS);
    }

    /** Written and acknowledged (acks=all) before returning. */
    RecordMetadata send(String topic, int partition, String value) throws Exception {
        return send(topic, partition, value, null);
    }

    RecordMetadata send(String topic, int partition, String value, Long timestampMs) throws Exception {
        return producer.send(new ProducerRecord<>(topic, partition, timestampMs, "k", value)).get(30, TimeUnit.SECONDS);
    }

    /** {@code count} records round-robin over {@code partitions} partitions, values "prefix-i". */
    void sendMany(String topic, int partitions, String prefix, int count) throws Exception {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            acks.add(producer.send(new ProducerRecord<>(topic, i % partitions, "k", prefix + "-" + i)));
        }
        for (Future<RecordMetadata> ack : acks) {
            ack.get(30, TimeUnit.SECONDS); // each one written, or the test stops here
        }
    }

    /** One transaction written and aborted, then one written and committed. */
    void abortThenCommit(String topic, String aborted, String committed) {
        try (KafkaProducer<String, String> tx = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "follower-test-" + UUID.randomUUID()),
                new StringSerializer(), new StringSerializer())) {
            tx.initTransactions();
            tx.beginTransaction();
            tx.send(new ProducerRecord<>(topic, 0, "k", aborted));
            tx.flush();
            tx.abortTransaction();
            tx.beginTransaction();
            tx.send(new ProducerRecord<>(topic, 0, "k", committed));
            tx.commitTransaction();
        }
    }

    @Override
    public void close() {
        producer.close();
        admin.close();
        stack.close();
    }
}
