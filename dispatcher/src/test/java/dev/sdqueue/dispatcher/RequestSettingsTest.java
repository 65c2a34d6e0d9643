package dev.sdqueue.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sdqueue.schema.RequestDefaults;
import dev.sdqueue.schema.RequestLimits;
import org.junit.jupiter.api.Test;

class RequestSettingsTest {

    @Test
    void defaultsOutsideTheLimitsStopTheStartup() {
        RequestDefaults wide = new RequestDefaults(2048, 512, 20, 7.5, 1, null, "tiny-random");
        assertThatThrownBy(() -> RequestSettings.checkDefaultsWithinLimits(wide, RequestLimits.DEFAULTS))
                .hasMessageContaining("width");
        RequestDefaults unknownScheduler = new RequestDefaults(512, 512, 20, 7.5, 1, "warp", "tiny-random");
        assertThatThrownBy(() -> RequestSettings.checkDefaultsWithinLimits(unknownScheduler, RequestLimits.DEFAULTS))
                .hasMessageContaining("scheduler");
    }

    @Test
    void theContractDefaultsFitTheContractLimits() {
        RequestSettings.checkDefaultsWithinLimits(RequestDefaults.DEFAULTS, RequestLimits.DEFAULTS);
        assertThat(RequestDefaults.DEFAULTS.width() % 8).isZero();
    }
}
