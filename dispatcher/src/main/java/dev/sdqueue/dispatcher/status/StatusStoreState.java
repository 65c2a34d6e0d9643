package dev.sdqueue.dispatcher.status;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.jboss.logging.Logger;

/**
 * Follows the Kafka Streams state for readiness and liveness, and holds the start back until a gate passes.
 *
 * <p>The gate ({@link CoPartitioning#await}) runs in {@link #onChange} on the CREATED → REBALANCING transition:
 * {@link KafkaStreams#start()} reports it on the calling thread before it starts any stream thread, so this is the
 * one place to refuse a start that the Quarkus extension performs on its own executor. A failed gate throws out of
 * {@code start()} (nothing was processed) and is reported as fatal.
 */
public final class StatusStoreState implements KafkaStreams.StateListener, StateRestoreListener {
    private static final Logger LOG = Logger.getLogger(StatusStoreState.class);

    /** Runs before the first stream thread starts; throws {@link StatusStoreStartupException} to refuse the start. */
    @FunctionalInterface
    public interface Gate {
        void await(BooleanSupplier stopping);
    }

    private final Gate gate;
    private final Consumer<String> onFatal;
    private final LongAdder restored = new LongAdder();
    private volatile KafkaStreams.State state = KafkaStreams.State.CREATED;
    private volatile boolean wasRunning;
    private volatile boolean stopping;
    private volatile String failure;

    /** @param onFatal told why the store cannot run (e.g. exits the application) */
    public StatusStoreState(Gate gate, Consumer<String> onFatal) {
        this.gate = gate;
        this.onFatal = onFatal;
    }

    @Override
    public void onChange(KafkaStreams.State newState, KafkaStreams.State oldState) {
        state = newState;
        if (newState == KafkaStreams.State.RUNNING) {
            wasRunning = true;
        }
        if (oldState == KafkaStreams.State.CREATED && newState == KafkaStreams.State.REBALANCING) {
            try {
                gate.await(() -> stopping);
            } catch (StatusStoreStartupException e) {
                if (!stopping) {
                    failure = e.getMessage();
                    LOG.error("status store cannot start: " + e.getMessage());
                    onFatal.accept(e.getMessage());
                }
                throw e;
            }
        }
    }

    /** Lets a gate still waiting give up (shutdown). */
    public void stopping() {
        stopping = true;
    }

    public KafkaStreams.State state() {
        return state;
    }

    /**
     * Ready once RUNNING, and still while a later rebalance runs (lookups of moving partitions answer 503 then;
     * flapping readiness on every rebalance would take every replica out of service together).
     */
    public boolean ready() {
        KafkaStreams.State s = state;
        return failure == null && (s == KafkaStreams.State.RUNNING
                || (s == KafkaStreams.State.REBALANCING && wasRunning));
    }

    /** False once Streams failed (ERROR) or the start was refused: only a restart helps. */
    public boolean alive() {
        KafkaStreams.State s = state;
        return failure == null && s != KafkaStreams.State.ERROR && s != KafkaStreams.State.PENDING_ERROR;
    }

    /** Why the start was refused, or null. */
    public String failure() {
        return failure;
    }

    /** Records copied from changelogs into local stores since this process started. */
    public long restoredRecords() {
        return restored.sum();
    }

    @Override
    public void onRestoreStart(TopicPartition partition, String store, long startOffset, long endOffset) {
        LOG.debugf("status store: restoring %s from %s, offsets %d..%d", store, partition, startOffset, endOffset);
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long numRestored) {
        restored.add(numRestored);
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
        LOG.infof("status store: restored %d record(s) of %s from %s", totalRestored, store, partition);
    }
}
