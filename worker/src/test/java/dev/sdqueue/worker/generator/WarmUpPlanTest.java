package dev.sdqueue.worker.generator;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WarmUpPlanTest {

    @Test
    void everySizeAtEveryBatch() {
        assertThat(WarmUpPlan.of(Optional.of(List.of("512x512", " 768X512 ")), Optional.of(List.of(1, 4)), 512, 512, 4))
                .containsExactly(new WarmUpPlan.Shape(512, 512, 1), new WarmUpPlan.Shape(512, 512, 4),
                        new WarmUpPlan.Shape(768, 512, 1), new WarmUpPlan.Shape(768, 512, 4));
    }

    @Test
    void unsetMeansTheDefaultSizeAtEveryBatchUpToTheMaximum() {
        assertThat(WarmUpPlan.of(Optional.empty(), Optional.empty(), 640, 384, 3)).containsExactly(
                new WarmUpPlan.Shape(640, 384, 1), new WarmUpPlan.Shape(640, 384, 2), new WarmUpPlan.Shape(640, 384, 3));
        assertThat(WarmUpPlan.of(Optional.of(List.of()), Optional.of(List.of()), 512, 512, 1))
                .containsExactly(new WarmUpPlan.Shape(512, 512, 1));
    }

    @Test
    void duplicatesRunOnce() {
        assertThat(WarmUpPlan.of(Optional.of(List.of("64x64", "64x64")), Optional.of(List.of(2, 2)), 512, 512, 4))
                .containsExactly(new WarmUpPlan.Shape(64, 64, 2));
    }

    @Test
    void badEntriesNameTheKey() {
        assertThatThrownBy(() -> WarmUpPlan.of(Optional.of(List.of("512")), Optional.empty(), 512, 512, 4))
                .hasMessage("sdq.pipeline.warmup-sizes: '512' is not WIDTHxHEIGHT, e.g. 512x512");
        assertThatThrownBy(() -> WarmUpPlan.of(Optional.empty(), Optional.of(List.of(5)), 512, 512, 4))
                .hasMessageContaining("sdq.pipeline.warmup-batches: 5 is outside 1..4");
    }
}
