package dev.sdqueue.worker.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.local.LocalStack;
import dev.sdqueue.schema.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The terminal-state index's reader on a real broker: lookback window, eviction on an idle topic, barriers. */
class EventTopicReaderTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static LocalStack stack;
    private static KafkaProducer<String, byte[]> producer;

    @BeforeAll
    static void start() {
        stack = LocalStack.forTests().start();
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stop() {
        if (producer != null) {
            producer.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private static RecordMetadata send(String key, Long timestampMs) throws Exception {
        return producer.send(new ProducerRecord<>(Topics.EVENTS, 0, timestampMs, key, new byte[0]))
                .get(30, TimeUnit.SECONDS);
    }

    @Test
    void readsTheLookbackWindowEvictsWhileIdleAndPassesGivenOffsets() throws Exception {
        long now = System.currentTimeMillis();
        send("too-old", now - Duration.ofHours(3).toMillis());
        send("in-window", now - Duration.ofMinutes(5).toMillis());
        List<String> applied = new CopyOnWriteArrayList<>();
        List<Long> cutoffs = new CopyOnWriteArrayList<>();
        EventTopicReader reader = new EventTopicReader(Map.of("bootstrap.servers", stack.bootstrapServers()),
                "test-terminal-index", Duration.ofHours(1), r -> applied.add(r.key()), cutoffs::add);
        try {
            reader.start();
            assertThat(reader.awaitCaughtUp(WAIT)).isTrue();
            assertThat(reader.caughtUp()).isTrue();
            assertThat(applied).containsExactly("in-window");
            assertThat(reader.partitions()).hasSize(stack.config().partitions());
            assertThat(cutoffs).as("evicted on the first (empty) poll").isNotEmpty();
            assertThat(cutoffs.get(0)).isBetween(now - Duration.ofHours(1).toMillis() - 1,
                    System.currentTimeMillis() - Duration.ofHours(1).toMillis());

            RecordMetadata fresh = send("fresh", null);
            assertThat(reader.awaitPositions(Map.of(new TopicPartition(Topics.EVENTS, 0), fresh.offset() + 1), WAIT))
                    .isTrue();
            assertThat(applied).containsExactly("in-window", "fresh");
            assertThat(reader.awaitPositions(Map.of(new TopicPartition(Topics.EVENTS, 0), fresh.offset() + 2),
                    Duration.ofMillis(300))).as("not written yet").isFalse();
        } finally {
            reader.close();
        }
        assertThat(reader.isAlive()).isFalse();
    }

    @Test
    void aFailingHandlerStopsTheReaderAndWaitsAnswerFalse() throws Exception {
        // Outside the other test's one-hour window, inside this one's.
        send("poison", System.currentTimeMillis() - Duration.ofHours(2).toMillis());
        EventTopicReader reader = new EventTopicReader(Map.of("bootstrap.servers", stack.bootstrapServers()),
                "test-terminal-index-failing", Duration.ofHours(3), r -> {
                    throw new IllegalStateException("cannot apply " + r.key());
                }, cutoff -> { });
        try {
            reader.start();
            assertThat(reader.awaitCaughtUp(WAIT)).isFalse();
            assertThat(reader.awaitPositions(Map.of(new TopicPartition(Topics.EVENTS, 0), Long.MAX_VALUE), WAIT))
                    .isFalse();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (reader.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(reader.isAlive()).as("liveness reports the dead reader").isFalse();
        } finally {
            reader.close();
        }
    }
}
