package dev.sdqueue.pipeline;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class GaussianNoiseTest {

    /** The JDK's SplittableRandom is an independent SplitMix64 implementation with the same uniform mapping. */
    @Test
    void isBoxMullerOverSplitMix64Uniforms() {
        for (long seed : new long[] {0, 1, 42, -7, Long.MAX_VALUE}) {
            GaussianNoise noise = new GaussianNoise(seed);
            SplittableRandom reference = new SplittableRandom(seed);
            for (int pair = 0; pair < 1000; pair++) {
                double u1 = reference.nextDouble();
                double u2 = reference.nextDouble();
                double r = Math.sqrt(-2 * Math.log(1 - u1));
                assertThat(noise.nextGaussian()).isCloseTo(r * Math.cos(2 * Math.PI * u2), within(1e-12));
                assertThat(noise.nextGaussian()).isCloseTo(r * Math.sin(2 * Math.PI * u2), within(1e-12));
            }
        }
    }

    @Test
    void isStandardNormal() {
        GaussianNoise noise = new GaussianNoise(2024);
        float[] x = new float[200_000];
        noise.fill(x);
        double mean = 0;
        for (float v : x) {
            mean += v;
        }
        mean /= x.length;
        double var = 0;
        int beyond3 = 0;
        for (float v : x) {
            var += (v - mean) * (v - mean);
            if (Math.abs(v) > 3) {
                beyond3++;
            }
        }
        var /= x.length;
        assertThat(mean).isCloseTo(0, within(0.01));
        assertThat(var).isCloseTo(1, within(0.015));
        assertThat(beyond3 / (double) x.length).isCloseTo(0.0027, within(0.0006));
    }

    @Test
    void seedsAreReproducibleAndDistinct() {
        float[] a = new float[64];
        float[] b = new float[64];
        float[] c = new float[64];
        new GaussianNoise(5).fill(a);
        new GaussianNoise(5).fill(b);
        new GaussianNoise(6).fill(c);
        assertThat(a).isEqualTo(b);
        assertThat(a).isNotEqualTo(c);
    }
}
