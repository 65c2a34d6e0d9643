package dev.sdqueue.loadtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PercentilesTest {
    @Test
    void nearestRankOnOneToHundredIsTheRankItself() {
        double[] values = IntStream.rangeClosed(1, 100).mapToDouble(i -> 101 - i).toArray(); // unsorted input
        Percentiles p = Percentiles.of(values);
        assertThat(p.count()).isEqualTo(100);
        assertThat(p.p50()).isEqualTo(50);
        assertThat(p.p95()).isEqualTo(95);
        assertThat(p.p99()).isEqualTo(99);
        assertThat(p.max()).isEqualTo(100);
        assertThat(p.min()).isEqualTo(1);
        assertThat(p.mean()).isEqualTo(50.5);
    }

    @Test
    void smallSamplesNeverInterpolate() {
        Percentiles p = Percentiles.of(new double[] {10, 30});
        assertThat(p.p50()).isEqualTo(10);
        assertThat(p.p99()).isEqualTo(30);
        assertThat(Percentiles.of(new double[0]).count()).isZero();
        assertThat(Percentiles.of(new double[0]).line()).contains("no samples");
    }
}
