package dev.sdqueue.loadtests.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProducerPerformanceRunTest {
    @Test
    void parsesTheSummaryLineOfKafka44() {
        String line = "500000 records sent, 105374.3 records/sec (22.81 MB/sec), 187.53 ms avg latency, "
                + "512.00 ms max latency, 173 ms 50th, 318 ms 95th, 402 ms 99th, 498 ms 99.9th.";
        ProducerPerformanceRun.Summary summary = ProducerPerformanceRun.parse(line).orElseThrow();
        assertThat(summary.records()).isEqualTo(500_000);
        assertThat(summary.recordsPerSecond()).isEqualTo(105374.3);
        assertThat(summary.mbPerSecond()).isEqualTo(22.81);
        assertThat(summary.avgMs()).isEqualTo(187.53);
        assertThat(summary.maxMs()).isEqualTo(512);
        assertThat(summary.p50Ms()).isEqualTo(173);
        assertThat(summary.p95Ms()).isEqualTo(318);
        assertThat(summary.p99Ms()).isEqualTo(402);
        assertThat(summary.p999Ms()).isEqualTo(498);
    }

    @Test
    void parsesTheSteadyStateLineAfterWarmUpRecords() {
        String line = "450000 steady state records sent, 74651.625747 records/sec (16.16 MB/sec), 1528.48 ms avg "
                + "latency, 2061.00 ms max latency, 1581 ms 50th, 1965 ms 95th, 2010 ms 99th, 2050 ms 99.9th.";
        ProducerPerformanceRun.Summary summary = ProducerPerformanceRun.parse(line).orElseThrow();
        assertThat(summary.records()).isEqualTo(450_000);
        assertThat(summary.recordsPerSecond()).isEqualTo(74651.625747);
        assertThat(summary.p99Ms()).isEqualTo(2010);
    }

    @Test
    void ignoresProgressLines() {
        assertThat(ProducerPerformanceRun.parse("523401 records sent, 104659.2 records/sec (22.66 MB/sec), 190.1 ms "
                + "avg latency, 401.0 ms max latency.")).isEmpty();
    }
}
