package dev.sdqueue.ops.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.RequestDefaults;
import dev.sdqueue.schema.RequestLimits;
import dev.sdqueue.schema.RequestValidator;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobSubmitterTest {
    @Test
    void bodiesAreSmallFastValidAndVaried() throws Exception {
        Set<String> sizes = new HashSet<>();
        Set<Long> seeds = new HashSet<>();
        Set<String> schedulers = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            ObjectNode body = JobSubmitter.body(i);
            int width = body.path("width").asInt();
            int height = body.path("height").asInt();
            assertThat(width).isBetween(64, 128);
            assertThat(height).isBetween(64, 128);
            assertThat(body.path("steps").asInt()).isBetween(2, 4);
            sizes.add(width + "x" + height);
            seeds.add(body.path("seed").asLong());
            schedulers.add(body.path("scheduler").asText("(default)"));
            assertThat(JobSubmitter.body(i)).as("deterministic").isEqualTo(body);
            // What the dispatcher and worker check: the contract's limits, after the defaults.
            body.put("jobId", "job-" + i);
            GenerationRequested request = RequestDefaults.DEFAULTS.applyTo(
                    EventJson.fromBytes(EventJson.toBytes(body), GenerationRequested.class));
            assertThat(new RequestValidator(RequestLimits.DEFAULTS).validate(request)).as("body %d", i).isEmpty();
        }
        assertThat(sizes).hasSize(9);
        assertThat(seeds).hasSize(60);
        assertThat(schedulers).hasSizeGreaterThan(2);
    }
}
