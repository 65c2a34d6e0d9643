package dev.sdqueue.dispatcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sdqueue.schema.EventJson;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/** HTTP responses use the contract's JSON settings (ISO-8601 instants, nulls left out by the records). */
@Singleton
public class ContractJsonCustomizer implements ObjectMapperCustomizer {
    @Override
    public void customize(ObjectMapper mapper) {
        EventJson.configure(mapper);
    }
}
