package dev.sdqueue.dispatcher.status;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.LagInfo;
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
        if (streams == null) {
            timer = null;
            return;
        }
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

    /** No copy counts as fresh, and nothing is sampled: a standby copy answers for final statuses only. */
    public static StandbyLags finalOnly() {
        return new StandbyLags(null, -1, Duration.ZERO);
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
        Map<Integer, Long> sample = new HashMap<>();
        try {
            if (streams.state() == KafkaStreams.State.RUNNING) {
                Map<Integer, LagInfo> status = streams.allLocalStorePartitionLags()
                        .getOrDefault(StatusTopology.STATUS_STORE, Map.of());
                status.forEach((partition, lag) -> sample.put(partition, lag.offsetLag()));
            }
        } catch (RuntimeException e) {
            // Rebalancing, broker unreachable, shutting down: no copy counts as fresh until the next sample.
            LOG.debugf("standby lag sample failed: %s", e.toString());
        }
        lags = Map.copyOf(sample);
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
