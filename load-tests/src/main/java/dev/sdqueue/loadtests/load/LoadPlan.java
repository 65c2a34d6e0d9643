package dev.sdqueue.loadtests.load;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What {@link GatlingLoad} drives: the phases run one after the other (each starts when the previous one's
 * submissions have all been answered) against {@code dispatcher}, every submission with {@code body}.
 *
 * @param shareConnections one keep-alive connection pool for all virtual users (like clients behind a proxy);
 *                         false = a new connection per submission
 * @param requestTimeout   an answer slower than this counts as an error (status 0)
 */
public record LoadPlan(URI dispatcher, byte[] body, List<LoadPhase> phases, boolean shareConnections,
                       Duration requestTimeout) {
    public LoadPlan {
        Objects.requireNonNull(dispatcher, "dispatcher");
        Objects.requireNonNull(body, "body");
        phases = List.copyOf(phases);
        if (phases.isEmpty()) {
            throw new IllegalArgumentException("a load needs at least one phase");
        }
        if (phases.stream().map(LoadPhase::name).distinct().count() != phases.size()) {
            throw new IllegalArgumentException("phase names must differ");
        }
    }

    public Duration totalDuration() {
        return phases.stream().map(LoadPhase::duration).reduce(Duration.ZERO, Duration::plus);
    }
}
