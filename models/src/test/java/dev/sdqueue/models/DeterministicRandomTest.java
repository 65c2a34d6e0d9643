package dev.sdqueue.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DeterministicRandomTest {

    @Test
    void sequenceIsSplitMix64LikeTheJdks() {
        // SplittableRandom(seed) with the default gamma is the same SplitMix64 stream.
        DeterministicRandom ours = new DeterministicRandom(42);
        SplittableRandom jdk = new SplittableRandom(42);
        for (int i = 0; i < 100; i++) {
            assertThat(ours.nextLong()).isEqualTo(jdk.nextLong());
        }
    }

    @Test
    void gaussiansHaveTheRequestedMomentsAndRepeat() {
        float[] values = new DeterministicRandom(7).fork("w").gaussian(200_000, 1.5, 0.5);
        assertThat(new DeterministicRandom(7).fork("w").gaussian(200_000, 1.5, 0.5)).containsExactly(values);
        double mean = 0;
        for (float v : values) {
            mean += v;
        }
        mean /= values.length;
        double variance = 0;
        for (float v : values) {
            variance += (v - mean) * (v - mean);
        }
        variance /= values.length;
        assertThat(mean).isCloseTo(1.5, within(0.01));
        assertThat(Math.sqrt(variance)).isCloseTo(0.5, within(0.01));
    }

    @Test
    void forksByLabelAreIndependentStreams() {
        DeterministicRandom root = new DeterministicRandom(7);
        assertThat(root.fork("a").nextLong()).isNotEqualTo(root.fork("b").nextLong());
        assertThat(root.fork("a").nextLong()).isEqualTo(new DeterministicRandom(7).fork("a").nextLong());
    }
}
