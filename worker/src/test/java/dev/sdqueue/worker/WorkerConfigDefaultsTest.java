package dev.sdqueue.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sdqueue.schema.RequestDefaults;
import dev.sdqueue.schema.RequestLimits;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import java.util.Properties;
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

    @Test
    void aWorkerWithoutS3EndpointOrCredentialsFailsNamingEachMissingKey() {
        assertThatThrownBy(() -> new SmallRyeConfigBuilder().withMapping(WorkerConfig.Storage.class).build())
                .hasMessageContaining("sdq.storage.endpoint").hasMessageContaining("sdq.storage.access-key")
                .hasMessageContaining("sdq.storage.secret-key");
        assertThatThrownBy(() -> new SmallRyeConfigBuilder().withMapping(WorkerConfig.Storage.class)
                .withDefaultValues(Map.of("sdq.storage.endpoint", "http://s3", "sdq.storage.access-key", "id",
                        "sdq.storage.secret-key", "")).build())
                .as("an empty secret is a missing one").hasMessageContaining("sdq.storage.secret-key");

        WorkerConfig.Storage given = new SmallRyeConfigBuilder().withMapping(WorkerConfig.Storage.class)
                .withDefaultValues(Map.of("sdq.storage.endpoint", "http://s3", "sdq.storage.access-key", "id",
                        "sdq.storage.secret-key", "secret")).build().getConfigMapping(WorkerConfig.Storage.class);
        assertThat(given.secretKey()).isEqualTo("secret");
        assertThat(given.region()).isEqualTo("us-east-1");
    }

    @Test
    void onlyTheDevProfileHasTheLocalStacksCredentials() throws Exception {
        Properties properties = new Properties();
        try (var in = WorkerConfigDefaultsTest.class.getResourceAsStream("/application.properties")) {
            properties.load(in);
        }
        assertThat(properties.stringPropertyNames()).filteredOn(key -> key.contains("sdq.storage."))
                .allSatisfy(key -> assertThat(key).startsWith("%dev."))
                .contains("%dev.sdq.storage.access-key", "%dev.sdq.storage.secret-key");
    }
}
