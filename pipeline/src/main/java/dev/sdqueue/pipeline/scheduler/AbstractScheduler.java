package dev.sdqueue.pipeline.scheduler;

import java.util.Map;

/** Shared bookkeeping: resolved config, noise schedule, timesteps and the in-order step check. */
abstract class AbstractScheduler implements Scheduler {

    protected final String name;
    protected final SchedulerConfig config;
    protected final NoiseSchedule schedule;
    protected final String predictionType;
    protected int numInferenceSteps = -1;
    protected float[] timesteps = new float[0];
    private int nextStep;

    AbstractScheduler(String name, SchedulerConfig modelConfig, Map<String, Object> classDefaults) {
        this.name = name;
        this.config = modelConfig.resolve(classDefaults);
        this.schedule = NoiseSchedule.from(config);
        this.predictionType = config.string("prediction_type", "epsilon");
        String spacing = config.string("timestep_spacing", "leading");
        if (!spacing.equals("leading") && !spacing.equals("linspace") && !spacing.equals("trailing")) {
            throw ScheduleMath.unsupportedSpacing(spacing);
        }
        if (config.bool("thresholding", false)) {
            throw unsupported("thresholding=true (dynamic thresholding is for pixel-space models)");
        }
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final SchedulerConfig config() {
        return config;
    }

    @Override
    public final void setTimesteps(int numInferenceSteps) {
        if (numInferenceSteps < 1) {
            throw new IllegalArgumentException("numInferenceSteps must be >= 1, got " + numInferenceSteps);
        }
        int train = config.integer("num_train_timesteps", 1000);
        if (numInferenceSteps > train) {
            throw new IllegalArgumentException("numInferenceSteps " + numInferenceSteps
                    + " exceeds num_train_timesteps " + train);
        }
        this.numInferenceSteps = numInferenceSteps;
        this.nextStep = 0;
        // steps_offset and the spacing can push the last timestep past the training table (e.g. PNDM, leading,
        // offset 1, 1000 steps): diffusers fails with an index error there; say what is wrong instead.
        try {
            computeTimesteps(numInferenceSteps);
        } catch (ArrayIndexOutOfBoundsException e) {
            throw outOfRange(numInferenceSteps, train, e.getMessage());
        }
        for (float t : timesteps) {
            if (!(t >= 0 && t <= train - 1)) {
                throw outOfRange(numInferenceSteps, train, "timestep " + t);
            }
        }
    }

    private IllegalArgumentException outOfRange(int steps, int train, String detail) {
        return new IllegalArgumentException(steps + " steps with " + className() + "'s timestep spacing and offset"
                + " leave the training schedule 0.." + (train - 1) + " (" + detail + "): use fewer steps");
    }

    /** Fills {@link #timesteps} (and any sigma tables) and resets the history. */
    protected abstract void computeTimesteps(int numInferenceSteps);

    @Override
    public int numSteps() {
        return timesteps.length;
    }

    @Override
    public final float[] timesteps() {
        return timesteps.clone();
    }

    @Override
    public final float timestep(int stepIndex) {
        requireTimesteps();
        return timesteps[stepIndex];
    }

    @Override
    public boolean integerTimesteps() {
        return true;
    }

    @Override
    public float initNoiseSigma() {
        return 1f;
    }

    @Override
    public void scaleModelInput(float[] sample, int stepIndex, float[] out) {
        if (out != sample) {
            System.arraycopy(sample, 0, out, 0, sample.length);
        }
    }

    @Override
    public final void step(float[] modelOutput, int stepIndex, float[] sample, float[] prevSample, NoiseSource noise) {
        requireTimesteps();
        if (stepIndex != nextStep) {
            throw new IllegalStateException(name + ": step " + stepIndex + " called, expected step " + nextStep
                    + " (steps must run in order after setTimesteps)");
        }
        if (modelOutput.length != sample.length || prevSample.length != sample.length) {
            throw new IllegalArgumentException("modelOutput, sample and prevSample must have the same length");
        }
        doStep(modelOutput, stepIndex, sample, prevSample, noise);
        nextStep++;
    }

    protected abstract void doStep(float[] modelOutput, int stepIndex, float[] sample, float[] prevSample,
                                   NoiseSource noise);

    protected final void requireTimesteps() {
        if (numInferenceSteps < 0) {
            throw new IllegalStateException(name + ": call setTimesteps before stepping");
        }
    }

    protected final UnsupportedSchedulerException unsupported(String what) {
        return new UnsupportedSchedulerException("unsupported scheduler option for " + className() + ": " + what);
    }

    protected final UnsupportedSchedulerException unsupportedPrediction() {
        return unsupported("prediction_type '" + predictionType + "'");
    }

    /** Returns {@code buffer} if it has {@code length} floats, else a new array (first step / new batch size). */
    protected static float[] sized(float[] buffer, int length) {
        return buffer != null && buffer.length == length ? buffer : new float[length];
    }

    protected final float acp(int timestep) {
        return schedule.alphasCumprod[timestep];
    }
}
