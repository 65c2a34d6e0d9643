package dev.sdqueue.pipeline;

import dev.sdqueue.pipeline.scheduler.NoiseSource;

/**
 * The pipeline's deterministic N(0,1) generator, fully specified so a seed means the same image
 * on every JVM and platform: SplitMix64 (Steele, Lea, Flood 2014; state += 0x9E3779B97F4A7C15,
 * then the MurmurHash3-style mix) gives 64-bit words; {@code u = (word >>> 11) * 2^-53} gives
 * uniforms in [0, 1); Box-Muller with StrictMath turns each pair (u1, u2) into
 * {@code r*cos(2 pi u2), r*sin(2 pi u2)} with {@code r = sqrt(-2 ln(1 - u1))}, both used in order.
 * Values are rounded to float32. One instance per image: it first draws the initial latents
 * (channel-major, as the latent tensor is laid out), then any noise an ancestral scheduler needs.
 * It is not torch's generator: the same seed gives a different image than diffusers.
 */
public final class GaussianNoise implements NoiseSource {

    private long state;
    private double spare;
    private boolean hasSpare;

    public GaussianNoise(long seed) {
        this.state = seed;
    }

    private long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private double nextUniform() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double u1 = nextUniform();
        double u2 = nextUniform();
        double r = StrictMath.sqrt(-2.0 * StrictMath.log(1.0 - u1));
        double theta = 2.0 * StrictMath.PI * u2;
        spare = r * StrictMath.sin(theta);
        hasSpare = true;
        return r * StrictMath.cos(theta);
    }

    /** Fills {@code dest[from, from+length)}. */
    public void fill(float[] dest, int from, int length) {
        for (int i = from; i < from + length; i++) {
            dest[i] = (float) nextGaussian();
        }
    }

    @Override
    public void fill(float[] dest) {
        fill(dest, 0, dest.length);
    }
}
