package dev.sdqueue.models;

import java.nio.charset.StandardCharsets;

/**
 * SplitMix64 (the algorithm behind {@link java.util.SplittableRandom}) with Box-Muller normals via
 * {@link StrictMath}: the same seed gives the same bits on every JDK and platform, so generated weights,
 * and therefore model files, are byte-identical run to run.
 */
public final class DeterministicRandom {

    private long state;
    private double spareGaussian;
    private boolean hasSpare;

    public DeterministicRandom(long seed) {
        this.state = seed;
    }

    /**
     * An independent stream for one named tensor. Deriving each tensor from its own label keeps all other
     * tensors unchanged when a tensor is added or resized.
     */
    public DeterministicRandom fork(String label) {
        long hash = 0xcbf29ce484222325L; // FNV-1a 64
        for (byte b : label.getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        return new DeterministicRandom(mix(state ^ hash));
    }

    public long nextLong() {
        state += 0x9E3779B97F4A7C15L;
        return mix(state);
    }

    /** Uniform in [0, 1). */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spareGaussian;
        }
        double u1;
        do {
            u1 = nextDouble();
        } while (u1 == 0.0);
        double u2 = nextDouble();
        double radius = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
        double angle = 2.0 * StrictMath.PI * u2;
        spareGaussian = radius * StrictMath.sin(angle);
        hasSpare = true;
        return radius * StrictMath.cos(angle);
    }

    /** {@code count} samples of N(mean, std^2), rounded to float. */
    public float[] gaussian(int count, double mean, double std) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) (mean + std * nextGaussian());
        }
        return values;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
