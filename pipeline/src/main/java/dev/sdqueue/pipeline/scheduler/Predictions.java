package dev.sdqueue.pipeline.scheduler;

import java.util.Set;

/** Validation of prediction_type against what a scheduler supports. */
final class Predictions {

    private static final Set<String> ALL = Set.of("epsilon", "v_prediction", "sample");

    private Predictions() {
    }

    static void check(Scheduler s, String predictionType) {
        check(s, predictionType, ALL);
    }

    static void check(Scheduler s, String predictionType, Set<String> supported) {
        if (!supported.contains(predictionType)) {
            throw new UnsupportedSchedulerException("unsupported scheduler option for " + s.className()
                    + ": prediction_type '" + predictionType + "' (supported: " + supported + ")");
        }
    }
}
