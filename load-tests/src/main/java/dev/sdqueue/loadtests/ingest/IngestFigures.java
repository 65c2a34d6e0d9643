package dev.sdqueue.loadtests.ingest;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** What an ingest run measured; {@link #ratio()} is the headline: dispatcher capacity / raw producer rate, and
 * {@link #batchRatio()} the same for jobs submitted in batches. */
public record IngestFigures(IngestRun.Settings settings, RequestRecordProbe.RecordSize recordSize,
                            List<ProducerPerformanceRun.Summary> producer, Map<String, Double> producerCpuSeconds,
                            double producerWallSeconds, List<IngestRun.Step> sweep, List<IngestRun.Step> fixedRates,
                            Map<String, Double> dispatcherThreadCpuSeconds, long warmupErrors, String gatlingReport,
                            List<IngestRun.Step> batchSweep) {

    /** True when the batch sweep ran ({@code --batch} above 0). */
    public boolean batched() {
        return !batchSweep.isEmpty();
    }

    /** The batch sweep level with the most jobs accepted per second. */
    public IngestRun.Step batchBest() {
        return batchSweep.stream().max(Comparator.comparingDouble(IngestRun.Step::acceptedPerSecond)).orElseThrow();
    }

    /** Jobs/s accepted through {@code POST /v1/generations/batch} at the best level. */
    public double batchCapacity() {
        return batchBest().acceptedPerSecond();
    }

    public double batchRatio() {
        return batchCapacity() / rawProducer().recordsPerSecond();
    }

    /** ProducerPerformance's last summary line (the steady state when it ran with warm-up records). */
    public ProducerPerformanceRun.Summary rawProducer() {
        return producer.get(producer.size() - 1);
    }

    /** The sweep level with the highest accepted rate. */
    public IngestRun.Step best() {
        return sweep.stream().max(Comparator.comparingDouble(IngestRun.Step::acceptedPerSecond)).orElseThrow();
    }

    public double capacity() {
        return best().acceptedPerSecond();
    }

    public double ratio() {
        return capacity() / rawProducer().recordsPerSecond();
    }

    public long errors() {
        return warmupErrors + sweep.stream().mapToLong(IngestRun.Step::errors).sum()
                + fixedRates.stream().mapToLong(IngestRun.Step::errors).sum()
                + batchSweep.stream().mapToLong(IngestRun.Step::errors).sum();
    }

    public boolean errorFree() {
        return errors() == 0;
    }
}
