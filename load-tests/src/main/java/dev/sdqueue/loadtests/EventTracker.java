package dev.sdqueue.loadtests;

import dev.sdqueue.follower.MissingTopicPolicy;
import dev.sdqueue.follower.StartPosition;
import dev.sdqueue.follower.TopicFollower;
import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.Topics;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Follows {@code sdq.generation.events} beside a load, the way any client of the contract would: a
 * {@link TopicFollower} (no group, nothing committed) with every partition assigned and positioned at the end
 * <em>before</em> the load starts, so only this run's events are read. For each job it keeps the first {@code started} and the first terminal
 * event ({@code completed}/{@code failed}), each with the worker's {@code at} and the moment this JVM received it
 * ({@link BenchClock} micros), plus the {@code completed} event's {@code timings}. Shared API of the benches.
 */
public final class EventTracker implements AutoCloseable {
    /**
     * What was seen of one job. Times are {@link BenchClock} microseconds; 0 when that event was not seen.
     *
     * @param startedAtMicros        the first {@code started} event's {@code at} (worker clock)
     * @param startedReceivedMicros  when this tracker received that event
     * @param terminalType           {@code completed} or {@code failed}, null while none was seen
     * @param terminalAtMicros       the first terminal event's {@code at} (worker clock, set just before publishing)
     * @param terminalReceivedMicros when this tracker received it
     * @param timings                the {@code completed} event's timings (ms by stage, e.g. {@code totalMs},
     *                               {@code uploadMs}), empty otherwise
     * @param terminals              terminal events seen (more than 1 = a duplicate)
     */
    public record JobEvents(String jobId, long startedAtMicros, long startedReceivedMicros, int starts,
                            String terminalType, long terminalAtMicros, long terminalReceivedMicros,
                            String failureReason, String worker, Map<String, Double> timings, int terminals) {
        public boolean ended() {
            return terminalType != null;
        }

        public boolean completed() {
            return GenerationEvent.COMPLETED.equals(terminalType);
        }

        /** A timing of the {@code completed} event in ms, if present (e.g. {@code totalMs}). */
        public Optional<Double> timing(String name) {
            return Optional.ofNullable(timings.get(name));
        }
    }

    /** Bounds opening: the topic's partitions and their end offsets. */
    private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, JobEvents> jobs = new HashMap<>();
    private TopicFollower<String, byte[]> follower;
    private long records;
    private long unreadable;

    private EventTracker() {
    }

    /**
     * Assigns every partition of the event topic and positions at its end (resolved before this returns, so an
     * event published afterwards is never missed), then reads on a thread of its own. Throws if the topic does not
     * exist.
     */
    public static EventTracker startAtEnd(String bootstrapServers) {
        EventTracker tracker = new EventTracker();
        tracker.follower = TopicFollower.builder(new StringDeserializer(), new ByteArrayDeserializer())
                .bootstrapServers(bootstrapServers)
                .clientId("sdq-bench-events")
                .topics(Topics.EVENTS)
                .startAt(StartPosition.end())
                .whenTopicMissing(MissingTopicPolicy.FAIL)
                .kafkaTimeout(Duration.ofSeconds(15))
                .pollTimeout(Duration.ofMillis(100))
                .onBatch(tracker::acceptBatch)
                .open(OPEN_TIMEOUT);
        return tracker;
    }

    private void acceptBatch(ConsumerRecords<String, byte[]> batch) {
        long received = BenchClock.nowMicros();
        if (batch.isEmpty()) {
            return;
        }
        synchronized (this) {
            for (ConsumerRecord<String, byte[]> record : batch) {
                accept(record, received);
            }
            notifyAll();
        }
    }

    private void accept(ConsumerRecord<String, byte[]> record, long received) {
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
        JobEvents seen = jobs.get(event.jobId());
        if (seen == null) {
            seen = new JobEvents(event.jobId(), 0, 0, 0, null, 0, 0, null, null, Map.of(), 0);
        }
        long at = event.at() == null ? 0 : BenchClock.epochMicros(event.at());
        if (event instanceof GenerationEvent.Started started) {
            boolean first = seen.starts() == 0;
            seen = new JobEvents(seen.jobId(), first ? at : seen.startedAtMicros(),
                    first ? received : seen.startedReceivedMicros(), seen.starts() + 1, seen.terminalType(),
                    seen.terminalAtMicros(), seen.terminalReceivedMicros(), seen.failureReason(),
                    seen.worker() == null ? started.worker() : seen.worker(), seen.timings(), seen.terminals());
        } else if (event.terminal()) {
            if (seen.ended()) {
                seen = new JobEvents(seen.jobId(), seen.startedAtMicros(), seen.startedReceivedMicros(), seen.starts(),
                        seen.terminalType(), seen.terminalAtMicros(), seen.terminalReceivedMicros(),
                        seen.failureReason(), seen.worker(), seen.timings(), seen.terminals() + 1);
            } else if (event instanceof GenerationEvent.Completed completed) {
                seen = new JobEvents(seen.jobId(), seen.startedAtMicros(), seen.startedReceivedMicros(), seen.starts(),
                        completed.type(), at, received, null,
                        completed.worker() != null ? completed.worker() : seen.worker(),
                        completed.timings() == null ? Map.of() : completed.timings(), 1);
            } else if (event instanceof GenerationEvent.Failed failed) {
                seen = new JobEvents(seen.jobId(), seen.startedAtMicros(), seen.startedReceivedMicros(), seen.starts(),
                        failed.type(), at, received, failed.reason(), seen.worker(), Map.of(), 1);
            }
        } else {
            return; // progress: not needed for latency
        }
        jobs.put(seen.jobId(), seen);
    }

    /** What was seen of {@code jobId} so far. */
    public synchronized Optional<JobEvents> job(String jobId) {
        checkHealthy();
        return Optional.ofNullable(jobs.get(jobId));
    }

    /** Every job seen so far (a copy). */
    public synchronized Map<String, JobEvents> snapshot() {
        checkHealthy();
        return Map.copyOf(jobs);
    }

    /** How many of {@code jobIds} have a terminal event. */
    public synchronized int endedCount(Collection<String> jobIds) {
        checkHealthy();
        int ended = 0;
        for (String id : jobIds) {
            JobEvents seen = jobs.get(id);
            if (seen != null && seen.ended()) {
                ended++;
            }
        }
        return ended;
    }

    /** Waits until every one of {@code jobIds} has a terminal event; false if the timeout passed first. */
    public synchronized boolean awaitTerminals(Collection<String> jobIds, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (endedCount(jobIds) < jobIds.size()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, Math.min(left / 1_000_000, 500)));
        }
        return true;
    }

    public synchronized long recordsRead() {
        return records;
    }

    /** Records that were not a readable event (skipped). */
    public synchronized long unreadableRecords() {
        return unreadable;
    }

    /** Throws if the reader stopped (the tracker would silently stop seeing events). */
    public void checkHealthy() {
        follower.checkHealthy();
    }

    @Override
    public void close() {
        follower.close();
    }
}
