package dev.sdqueue.ops.chaos;

import dev.sdqueue.follower.MissingTopicPolicy;
import dev.sdqueue.follower.StartPosition;
import dev.sdqueue.follower.TopicFollower;
import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.Topics;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@code sdq.generation.events} read from the beginning by a {@link TopicFollower} (no group: every partition
 * assigned, nothing committed), the way any client of the contract would read it. Keeps, per job, every terminal
 * event and the latest {@code started}; per worker, the job it last started. Survives broker restarts (the client
 * reconnects on its own).
 */
final class EventLog implements AutoCloseable {
    /** A terminal event as seen on the topic; {@code timestampMs} is the record's (producer) timestamp. */
    record Terminal(String type, int attempt, String worker, String reason, long timestampMs) {
        boolean completed() {
            return GenerationEvent.COMPLETED.equals(type);
        }
    }

    /** A {@code started} event. */
    record Started(String jobId, int attempt, String worker, long timestampMs) {
    }

    private final TopicFollower<String, byte[]> follower;
    private final Map<String, List<Terminal>> terminals = new HashMap<>();
    private final Map<String, Started> lastStartedByWorker = new HashMap<>();
    private final Map<String, List<Started>> startedByJob = new HashMap<>();
    private final Map<String, Integer> progressByJob = new HashMap<>();
    private long records;
    private long unreadable;

    /** Returns once every partition is assigned; throws if the topic does not exist. */
    EventLog(String bootstrapServers) {
        follower = TopicFollower.builder(new StringDeserializer(), new ByteArrayDeserializer())
                .bootstrapServers(bootstrapServers)
                .clientId("sdq-chaos-events")
                .topics(Topics.EVENTS)
                .startAt(StartPosition.beginning())
                .whenTopicMissing(MissingTopicPolicy.FAIL)
                // Back quickly after a broker restart.
                .property(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000")
                .onBatch(batch -> {
                    synchronized (this) {
                        batch.forEach(this::accept);
                    }
                })
                .open(Duration.ofSeconds(30));
    }

    private void accept(ConsumerRecord<String, byte[]> record) {
        records++;
        GenerationEvent event;
        try {
            event = record.value() == null ? null : EventJson.fromBytes(record.value(), GenerationEvent.class);
        } catch (IOException | RuntimeException e) {
            event = null;
        }
        if (event == null || event.jobId() == null) {
            unreadable++;
            return;
        }
        String jobId = event.jobId();
        if (event instanceof GenerationEvent.Started started) {
            Started seen = new Started(jobId, started.attempt(), started.worker(), record.timestamp());
            startedByJob.computeIfAbsent(jobId, id -> new ArrayList<>()).add(seen);
            if (started.worker() != null) {
                lastStartedByWorker.put(started.worker(), seen);
            }
        } else if (event instanceof GenerationEvent.Progress progress) {
            progressByJob.put(jobId, progress.step());
        } else if (event instanceof GenerationEvent.Completed completed) {
            terminals.computeIfAbsent(jobId, id -> new ArrayList<>()).add(new Terminal(completed.type(),
                    completed.attempt(), completed.worker(), null, record.timestamp()));
        } else if (event instanceof GenerationEvent.Failed failed) {
            terminals.computeIfAbsent(jobId, id -> new ArrayList<>()).add(new Terminal(failed.type(),
                    failed.attempt(), null, failed.reason(), record.timestamp()));
        }
    }

    /** Terminal events per job so far (a copy). */
    synchronized Map<String, List<Terminal>> terminals() {
        Map<String, List<Terminal>> copy = new HashMap<>();
        terminals.forEach((job, list) -> copy.put(job, List.copyOf(list)));
        return copy;
    }

    synchronized boolean hasTerminal(String jobId) {
        return terminals.containsKey(jobId);
    }

    /** The job {@code worker} (its {@code sdq.worker.id}) started last, if any. */
    synchronized Optional<Started> lastStartedBy(String worker) {
        return Optional.ofNullable(lastStartedByWorker.get(worker));
    }

    /** Every {@code started} event of the job, in the order read. */
    synchronized List<Started> startsOf(String jobId) {
        return List.copyOf(startedByJob.getOrDefault(jobId, List.of()));
    }

    /** The last denoising step reported for the job, 0 if none. */
    synchronized int progressOf(String jobId) {
        return progressByJob.getOrDefault(jobId, 0);
    }

    synchronized long recordsRead() {
        return records;
    }

    synchronized long unreadableRecords() {
        return unreadable;
    }

    /**
     * Waits until this log has read up to {@code endOffsets} (captured by the caller after the fact it waits for),
     * so what it reports afterwards includes everything published before. False on timeout.
     */
    boolean awaitPositions(Map<TopicPartition, Long> endOffsets, Duration timeout) throws InterruptedException {
        checkHealthy();
        return follower.awaitPositions(endOffsets, timeout);
    }

    /** Throws if the reader stopped (the log would silently stop growing). */
    void checkHealthy() {
        follower.checkHealthy();
    }

    @Override
    public void close() {
        follower.close();
    }
}
