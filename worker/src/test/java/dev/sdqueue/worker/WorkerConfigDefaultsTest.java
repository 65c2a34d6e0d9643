package dev.sdqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.schema.RequestDefaults;
import dev.sdqueue.schema.RequestLimits;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

/** The worker's unset limits and defaults are the contract's, so worker and dispatcher accept the same requests. */
class WorkerConfigDefaultsTest {

    @Test
    void unsetLimitsAndDefaultsEqualTheContractDefaults() {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(WorkerConfig.Limits.class)
                .withMapping(WorkerConfig.Defaults.class).build();
        WorkerConfig.Limits l = config.getConfigMapping(WorkerConfig.Limits.class);
        WorkerConfig.Defaults d = config.getConfigMapping(WorkerConfig.Defaults.class);

        assertThat(l.toRequestLimits()).isEqualTo(RequestLimits.DEFAULTS);
        assertThat(d.toRequestDefaults(RequestDefaults.DEFAULTS.model())).isEqualTo(RequestDefaults.DEFAULTS);
    }
}
