package dev.sdqueue.ops.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ChaosPlanTest {
    private static ChaosPlan plan(int jobs, int kills, boolean broker, int s3, int poison, double rate) {
        return plan(jobs, kills, broker, s3, poison, rate, 0);
    }

    private static ChaosPlan plan(int jobs, int kills, boolean broker, int s3, int poison, double rate, int storm) {
        return new ChaosPlan(jobs, kills, broker, false, Duration.ofSeconds(s3), poison, 3, rate,
                Duration.ofMinutes(5), Duration.ofMinutes(5), 10_000, "512m", Map.of(), List.of(), Path.of("."),
                null, false, Duration.ofSeconds(storm), Duration.ofSeconds(4));
    }

    @Test
    void theAutomaticRateLeavesRoomForTheFaultsAndIsCapped() {
        ChaosPlan acceptance = plan(200, 2, true, 20, 10, 0);
        // 20 s + 20 s outage + 2 x 12 s + 20 s broker = 84 s for 200 jobs
        assertThat(acceptance.effectiveRate()).isCloseTo(200 / 84.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(acceptance.submissionWindow()).isBetween(Duration.ofSeconds(83), Duration.ofSeconds(85));
        assertThat(plan(2000, 5, true, 30, 20, 0).effectiveRate()).isEqualTo(ChaosPlan.MAX_AUTO_RATE);
        assertThat(plan(30, 1, false, 5, 5, 3.5).effectiveRate()).isEqualTo(3.5);
        // The storm runs inside the submission window too: 84 s + 60 s.
        assertThat(plan(200, 2, true, 20, 10, 0, 60).submissionWindow())
                .isBetween(Duration.ofSeconds(143), Duration.ofSeconds(145));
    }

    @Test
    void faultsGoInTheOrderS3KillBrokerThenTheRemainingKills() {
        assertThat(plan(10, 3, true, 5, 0, 0).faultOrder()).containsExactly("s3", "kill", "broker", "kill", "kill");
        assertThat(plan(10, 0, false, 0, 0, 0).faultOrder()).isEmpty();
        assertThat(plan(10, 2, false, 0, 0, 0).faultOrder()).containsExactly("kill", "kill");
    }

    @Test
    void poisonIsSpreadOverTheSubmissionsAndAllOfItGoesOut() {
        ChaosPlan plan = plan(100, 0, false, 0, 4, 0);
        assertThat(IntStream.range(0, 4).map(plan::poisonAfterJob)).containsExactly(20, 40, 60, 80);
        ChaosPlan more = plan(3, 0, false, 0, 10, 0);
        assertThat(IntStream.range(0, 10).map(more::poisonAfterJob)).allSatisfy(i -> assertThat(i).isBetween(0, 2));
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> plan(0, 0, false, 0, 0, 0)).hasMessageContaining("--jobs");
        assertThatThrownBy(() -> plan(1, -1, false, 0, 0, 0)).hasMessageContaining("--kills");
        assertThatThrownBy(() -> plan(1, 0, false, 0, 0, -1)).hasMessageContaining("--rate");
        assertThatThrownBy(() -> plan(1, 0, false, 0, 0, 0, -1)).hasMessageContaining("--rebalance-storm");
    }
}
