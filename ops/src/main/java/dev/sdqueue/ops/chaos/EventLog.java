package dev.sdqueue.ops.chaos;

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
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * {@code sdq.generation.events} read from the beginning with a plain consumer (no group: every partition assigned,
 * nothing committed), the way any client of the contract would read it. Keeps, per job, every terminal event and
 * the latest {@code started}; per worker, the job it last started. Survives broker restarts (the client
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

    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread poller;
    private final Map<String, List<Terminal>> terminals = new HashMap<>();
    private final Map<String, Started> lastStartedByWorker = new HashMap<>();
    private final Map<String, List<Started>> startedByJob = new HashMap<>();
    private final Map<String, Integer> progressByJob = new HashMap<>();
    private final Map<TopicPartition, Long> positions = new HashMap<>();
    private long records;
    private long unreadable;
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    EventLog(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "sdq-chaos-events");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : consumer.partitionsFor(Topics.EVENTS, Duration.ofSeconds(30))) {
            partitions.add(new TopicPartition(info.topic(), info.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        poller = new Thread(this::pollLoop, "sdq-chaos-event-log");
        poller.setDaemon(true);
        poller.start();
    }

    private void pollLoop() {
        try {
            while (running) {
                var batch = consumer.poll(Duration.ofMillis(200));
                synchronized (this) {
                    for (ConsumerRecord<String, byte[]> record : batch) {
                        accept(record);
                    }
                    for (TopicPartition partition : consumer.assignment()) {
                        try {
                            positions.put(partition, consumer.position(partition, Duration.ofSeconds(2)));
                        } catch (org.apache.kafka.common.errors.TimeoutException brokerAway) {
                            // the broker restarts: keep the last known position, try again after the next poll
                        }
                    }
                    notifyAll();
                }
            }
        } catch (WakeupException closing) {
            // close() woke the poll up
        } catch (RuntimeException e) {
            if (running) {
                failure = e;
            }
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
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
    synchronized boolean awaitPositions(Map<TopicPartition, Long> endOffsets, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!reached(endOffsets)) {
            checkHealthy();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    private boolean reached(Map<TopicPartition, Long> endOffsets) {
        return endOffsets.entrySet().stream()
                .allMatch(end -> positions.getOrDefault(end.getKey(), 0L) >= end.getValue());
    }

    /** Throws if the poll thread died (the log would silently stop growing). */
    void checkHealthy() {
        if (failure != null) {
            throw new IllegalStateException("reading " + Topics.EVENTS + " failed: " + failure, failure);
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            poller.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
