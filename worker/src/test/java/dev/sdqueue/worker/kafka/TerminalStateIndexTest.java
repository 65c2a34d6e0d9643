package dev.sdqueue.worker.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sdqueue.local.LocalStack;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.Headers;
import dev.sdqueue.schema.Topics;
import dev.sdqueue.worker.WorkerConfig;
import dev.sdqueue.worker.job.TerminalStates;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The terminal-state index on a real broker: it reads a job's events partition from the record's time minus the
 * margin (never the history before), finds terminal events other workers wrote, and refuses to answer when it
 * cannot read up to date.
 */
class TerminalStateIndexTest {
    private static final Duration MARGIN = Duration.ofMinutes(5);
    private static LocalStack stack;
    private static KafkaProducer<String, byte[]> producer;
    private static int partitions;
    /**
     * Written before anything else: records carry their producer's time, so one written later with an older time
     * sits after newer ones, and a search by time that lands before it reads it too (harmless, but not testable).
     */
    private static final String ENDED_LONG_AGO = job();
    private static final String ENDED_40_MIN_AGO = job();

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.forTests().start();
        partitions = stack.config().partitions();
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
        terminal(ENDED_LONG_AGO, GenerationEvent.COMPLETED, Instant.now().minus(Duration.ofHours(3)));
        terminal(ENDED_40_MIN_AGO, GenerationEvent.COMPLETED, Instant.now().minus(Duration.ofMinutes(40)));
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

    private static TerminalStateIndex index(String name) {
        return new TerminalStateIndex(Map.of("bootstrap.servers", stack.bootstrapServers()), name, settings(),
                jobId -> TopicLayout.partitionFor(jobId, partitions), Clock.systemUTC());
    }

    /** A terminal event as a worker writes it (keyed by job id, default partitioner, CloudEvents type header). */
    private static RecordMetadata terminal(String jobId, String type, Instant at) throws Exception {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.EVENTS, null, at.toEpochMilli(), jobId,
                new byte[0]);
        record.headers().add(Headers.CE_TYPE, Headers.eventType(type).getBytes(StandardCharsets.UTF_8));
        return producer.send(record).get(30, TimeUnit.SECONDS);
    }

    private static String job() {
        return "job-" + UUID.randomUUID();
    }

    @Test
    void thePartitionerIsTheProducers() throws Exception {
        for (int i = 0; i < 20; i++) {
            String jobId = job();
            assertThat(TopicLayout.partitionFor(jobId, partitions))
                    .isEqualTo(terminal(jobId, GenerationEvent.COMPLETED, Instant.now()).partition());
        }
    }

    @Test
    void readsFromTheRecordTimeMinusTheMarginAndNothingBefore() throws Exception {
        Instant now = Instant.now();
        String endedLongAgo = ENDED_LONG_AGO;
        String endedWithinMargin = job();
        terminal(endedWithinMargin, GenerationEvent.FAILED, now.minus(Duration.ofMinutes(2)));
        try (TerminalStateIndex index = index("test-index-window")) {
            index.cover(endedLongAgo, now);
            index.cover(endedWithinMargin, now);

            assertThat(index.terminalOf(endedWithinMargin)).contains(GenerationEvent.FAILED);
            assertThat(index.terminalOf(endedLongAgo)).as("3 h before its record: not read").isEmpty();
        }
    }

    @Test
    void aRecordFromFurtherBackHasItsPartitionReadAgainFromThere() throws Exception {
        Instant now = Instant.now();
        String jobId = ENDED_40_MIN_AGO;
        try (TerminalStateIndex index = index("test-index-reread")) {
            index.cover(jobId, now);
            assertThat(index.terminalOf(jobId)).isEmpty();

            // A record appended 40 min ago (a backlog, a retry) needs that time: the partition is read from there.
            index.cover(jobId, now.minus(Duration.ofMinutes(40)));
            assertThat(index.terminalOf(jobId)).contains(GenerationEvent.COMPLETED);
        }
    }

    @Test
    void aLookupSeesWhatAnotherWorkerWroteJustBefore() throws Exception {
        String jobId = job();
        try (TerminalStateIndex index = index("test-index-exact")) {
            index.cover(jobId, Instant.now());
            assertThat(index.terminalOf(jobId)).isEmpty();

            terminal(jobId, GenerationEvent.COMPLETED, Instant.now()); // acknowledged before the next lookup

            assertThat(index.terminalOf(jobId)).contains(GenerationEvent.COMPLETED);
            assertThat(index.partitionsRead()).isEqualTo(1);
            assertThat(index.alive()).isTrue();
        }
    }

    @Test
    void readsOnlyThePartitionsOfTheJobsItWasAskedAbout() throws Exception {
        try (TerminalStateIndex index = index("test-index-partitions")) {
            String first = job();
            String second = job();
            while (TopicLayout.partitionFor(second, partitions) == TopicLayout.partitionFor(first, partitions)) {
                second = job();
            }
            index.cover(first, Instant.now());
            assertThat(index.partitionsRead()).isEqualTo(1);
            index.cover(second, Instant.now());
            assertThat(index.partitionsRead()).isEqualTo(2);
        }
    }

    @Test
    void aClosedIndexIsUnavailableNotEmpty() {
        TerminalStateIndex index = index("test-index-closed");
        String jobId = job();
        index.cover(jobId, Instant.now());
        index.close();

        assertThatThrownBy(() -> index.terminalOf(jobId)).isInstanceOf(TerminalStates.UnavailableException.class);
    }

    private static WorkerConfig.Worker.Idempotency settings() {
        return new WorkerConfig.Worker.Idempotency() {
            @Override
            public Duration margin() {
                return MARGIN;
            }

            @Override
            public Duration retention() {
                return Duration.ofHours(1);
            }

            @Override
            public Duration maxLookback() {
                return Duration.ofHours(24);
            }

            @Override
            public Duration syncTimeout() {
                return Duration.ofSeconds(30);
            }
        };
    }
}
