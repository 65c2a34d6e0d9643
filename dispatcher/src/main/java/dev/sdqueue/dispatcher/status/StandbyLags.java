package dev.sdqueue.dispatcher.status;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.jboss.logging.Logger;

/**
 * How far behind this replica's standby copies of the status store are, so that {@link StatusLookup} can answer a job
 * another replica owns from its own warm copy instead of a network hop. Kafka Streams measures the lag
 * ({@link KafkaStreams#allLocalStorePartitionLags}: changelog end offset minus the copy's position) with one admin
 * call, so it is sampled on a timer, never per lookup.
 */
public final class StandbyLags implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StandbyLags.class);

    private final KafkaStreams streams;
    private final long maxLag;
    private final ScheduledExecutorService timer;
    private volatile Map<Integer, Long> lags = Map.of();

    private StandbyLags(KafkaStreams streams, long maxLag, Duration interval) {
        this.streams = streams;
        this.maxLag = maxLag;
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "sdq-status-standby-lags");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::refresh, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Samples every {@code interval}.
     *
     * @param maxLag a standby copy at most this many changelog records behind (at the latest sample) answers for
     *               the active one; negative: only for final statuses (the lag is still sampled, for the gauge)
     */
    public static StandbyLags sampled(KafkaStreams streams, long maxLag, Duration interval) {
        return new StandbyLags(streams, maxLag, interval);
    }

    /** Whether this replica's standby copy of {@code partition} was close enough behind at the latest sample. */
    public boolean fresh(int partition) {
        Long lag = lags.get(partition);
        return maxLag >= 0 && lag != null && lag <= maxLag;
    }

    /**
     * Changelog records this replica's copies (standby or restoring) were behind in total at the latest sample: 0 once
     * a new replica holds a warm copy of everything it was given; -1 before a sample or while none can be taken.
     */
    public long totalLag() {
        Map<Integer, Long> sample = lags;
        return sample.isEmpty() ? -1 : sample.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Takes a sample now (the timer does this; tests call it to not wait for one). */
    public void refresh() {
        if (!streams.state().isRunningOrRebalancing()) {
            lags = Map.of(); // not started, or closing: no copy to read
            return;
        }
        try {
            Map<Integer, Long> sample = new HashMap<>();
            streams.allLocalStorePartitionLags().getOrDefault(StatusTopology.STATUS_STORE, Map.of())
                    .forEach((partition, lag) -> sample.put(partition, lag.offsetLag()));
            lags = Map.copyOf(sample);
        } catch (RuntimeException e) {
            // Broker briefly unreachable, or a rebalance moved tasks mid-call: the previous sample stands (a read of a
            // copy that moved away fails and is forwarded anyway).
            LOG.debugf("standby lag sample failed: %s", e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
