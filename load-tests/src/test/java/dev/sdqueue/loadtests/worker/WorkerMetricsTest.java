package dev.sdqueue.loadtests.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WorkerMetricsTest {
    private static final String SCRAPE = """
            # TYPE sdq_worker_model_busy_seconds counter
            sdq_worker_model_busy_seconds_total 0.10715039000000001 # {span_id="5f6a",trace_id="8f33"} 0.001052466 1795707256.243
            sdq_worker_stage_seconds_count{stage="png"} 3.0 # {span_id="5f6a",trace_id="8f33"} 1.0 1795707256.762
            sdq_worker_stage_seconds_sum{stage="png"} 0.06
            sdq_worker_stage_seconds_count{stage="upload",} 2.0
            jvm_memory_used_bytes{area="heap",id="eden space"} 1000.0
            jvm_memory_used_bytes{area="heap",id="tenured gen"} 500.0
            jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 7.0
            # EOF
            """;

    @Test
    void readsValuesWithAndWithoutExemplarsAndSumsLabelledSeries() {
        WorkerMetrics metrics = new WorkerMetrics(0, WorkerMetrics.parse(SCRAPE));

        assertThat(metrics.modelBusySeconds()).isEqualTo(0.10715039000000001);
        assertThat(metrics.stageCount("png")).isEqualTo(3.0);
        assertThat(metrics.stageSeconds("png")).isEqualTo(0.06);
        assertThat(metrics.stageCount("upload")).isEqualTo(2.0);
        assertThat(metrics.stageCount("publish")).isZero();
        assertThat(metrics.heapUsedBytes()).isEqualTo(1500.0);
    }
}
