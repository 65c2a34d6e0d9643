package dev.sdqueue.dispatcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.schema.GenerationRequested;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The HTTP body and the Kafka record must not drift apart when the contract gains a field. */
class GenerationRequestBodyTest {

    @Test
    void bodyHasEveryContractFieldButTheServerSetOnesWithTheSameTypes() {
        Map<String, Class<?>> contract = components(GenerationRequested.class);
        contract.keySet().removeAll(Set.of("jobId", "requestedAt"));
        assertThat(components(GenerationRequestBody.class)).containsExactlyEntriesOf(contract);
        assertThat(RequestBodyParser.knownFields()).containsExactlyElementsOf(contract.keySet());
    }

    private static Map<String, Class<?>> components(Class<? extends Record> type) {
        Map<String, Class<?>> result = new LinkedHashMap<>();
        Arrays.stream(type.getRecordComponents()).forEach((RecordComponent c) -> result.put(c.getName(), c.getType()));
        return result;
    }
}
