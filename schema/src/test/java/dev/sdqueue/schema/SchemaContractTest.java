package dev.sdqueue.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The records and the JSON Schema files describe the same contract, and the schemas reject what they should. */
class SchemaContractTest {
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            builder -> builder.schemaIdResolvers(ids -> ids.mapPrefix(JsonSchemas.ID_PREFIX,
                    "classpath:" + JsonSchemas.CLASSPATH_PREFIX)));
    private static final Instant AT = Instant.parse("2026-11-26T12:00:00.123456Z");

    static List<Object[]> samples() {
        ImageRef image = new ImageRef("http://127.0.0.1:9000/sdq-images/generations/j1/0.png?X-Amz-Signature=ab",
                "sdq-images", "generations/j1/0.png", 512, 512, 42L, "image/png");
        return List.of(
                new Object[] {JsonSchemas.REQUESTED, new GenerationRequested("j1", "a cat", "blurry", 512, 768, 20,
                        7.5, 42L, "euler_a", 2, "tiny-random", AT, AT.plusSeconds(90))},
                new Object[] {JsonSchemas.REQUESTED, new GenerationRequested("j2", "only a prompt", null, null, null,
                        null, null, null, null, null, null, null)},
                new Object[] {JsonSchemas.STARTED, new GenerationEvent.Started("j1", AT, 1, "worker-a")},
                new Object[] {JsonSchemas.PROGRESS, new GenerationEvent.Progress("j1", AT, 2, 3, 20)},
                new Object[] {JsonSchemas.COMPLETED, new GenerationEvent.Completed("j1", AT, 1, List.of(image),
                        Map.of("denoise", 812.5, "upload", 3.0), "worker-a", "cpu", null)},
                new Object[] {JsonSchemas.FAILED, new GenerationEvent.Failed("j1", AT, 3, "inference_error",
                        "UNet run failed", true)});
    }

    @ParameterizedTest
    @MethodSource("samples")
    void recordSurvivesJsonRoundTripAndValidatesAgainstItsSchema(String schemaFile, Object record) throws IOException {
        byte[] json = EventJson.toBytes(record);

        assertThat(EventJson.fromBytes(json, record.getClass())).isEqualTo(record);
        assertThat(errors(schemaFile, new String(json))).isEmpty();
        if (record instanceof GenerationEvent event) {
            assertThat(EventJson.fromBytes(json, GenerationEvent.class)).isEqualTo(event);
            assertThat(errors(JsonSchemas.EVENT, new String(json))).isEmpty();
        }
    }

    @Test
    void schemaPropertiesAreExactlyTheRecordComponents() throws IOException {
        assertThat(schemaProperties(JsonSchemas.REQUESTED)).isEqualTo(components(GenerationRequested.class));
        assertThat(schemaProperties("v1/image-ref.json")).isEqualTo(components(ImageRef.class));
        Map<String, Class<?>> events = Map.of(JsonSchemas.STARTED, GenerationEvent.Started.class,
                JsonSchemas.PROGRESS, GenerationEvent.Progress.class,
                JsonSchemas.COMPLETED, GenerationEvent.Completed.class,
                JsonSchemas.FAILED, GenerationEvent.Failed.class);
        Set<String> common = schemaProperties("v1/event-common.json");
        for (Map.Entry<String, Class<?>> entry : events.entrySet()) {
            Set<String> declared = new TreeSet<>(common);
            declared.addAll(schemaProperties(entry.getKey()));
            assertThat(declared).as(entry.getKey()).isEqualTo(components(entry.getValue()));
        }
    }

    @Test
    void schedulerEnumIsTheKnownSchedulerList() throws IOException {
        JsonNode schedulerEnum = read(JsonSchemas.REQUESTED).at("/properties/scheduler/enum");
        List<String> names = new ArrayList<>();
        schedulerEnum.forEach(node -> {
            if (!node.isNull()) {
                names.add(node.asText());
            }
        });
        assertThat(names).isEqualTo(Schedulers.NAMES);
    }

    static List<Object[]> invalidInstances() {
        String at = "\"at\":\"2026-11-26T12:00:00Z\"";
        return List.of(
                new Object[] {JsonSchemas.REQUESTED, "{\"jobId\":\"j\"}", "prompt"},
                new Object[] {JsonSchemas.REQUESTED, "{\"jobId\":\"j\",\"prompt\":\"   \"}", "prompt"},
                new Object[] {JsonSchemas.REQUESTED, "{\"jobId\":\"j\",\"prompt\":\"p\",\"width\":513}", "width"},
                new Object[] {JsonSchemas.REQUESTED, "{\"jobId\":\"j\",\"prompt\":\"p\",\"steps\":0}", "steps"},
                new Object[] {JsonSchemas.REQUESTED, "{\"jobId\":\"j\",\"prompt\":\"p\",\"scheduler\":\"k_dpm\"}",
                        "scheduler"},
                new Object[] {JsonSchemas.REQUESTED, "{\"jobId\":\"j\",\"prompt\":\"p\",\"seed\":\"7\"}", "seed"},
                new Object[] {JsonSchemas.EVENT, "{\"jobId\":\"j\",\"type\":\"completed\"," + at
                        + ",\"attempt\":1,\"images\":[]}", "images"},
                new Object[] {JsonSchemas.EVENT, "{\"jobId\":\"j\",\"type\":\"exploded\"," + at + ",\"attempt\":1}",
                        "type"},
                new Object[] {JsonSchemas.EVENT, "{\"jobId\":\"j\",\"type\":\"started\"," + at + ",\"attempt\":0}",
                        "attempt"},
                new Object[] {JsonSchemas.EVENT, "{\"jobId\":\"j\",\"type\":\"failed\"," + at
                        + ",\"attempt\":1,\"message\":\"m\",\"retriable\":false}", "reason"});
    }

    @ParameterizedTest
    @MethodSource("invalidInstances")
    void schemaRejectsInvalidInstance(String schemaFile, String json, String culprit) {
        List<Error> errors = errors(schemaFile, json);

        assertThat(errors).isNotEmpty();
        assertThat(errors.stream().map(Error::toString).collect(Collectors.joining("\n"))).contains(culprit);
    }

    @Test
    void readersIgnoreUnknownFieldsAndUnknownEventTypes() throws IOException {
        String request = "{\"jobId\":\"j\",\"prompt\":\"p\",\"addedInV1_7\":{\"x\":1}}";
        assertThat(EventJson.fromBytes(request.getBytes(), GenerationRequested.class).prompt()).isEqualTo("p");

        String future = "{\"jobId\":\"j\",\"type\":\"cancelled\",\"at\":\"2026-11-26T12:00:00Z\",\"attempt\":1}";
        assertThat(EventJson.fromBytes(future.getBytes(), GenerationEvent.class)).isNull();
    }

    @Test
    void nullOptionalFieldsAreLeftOut() {
        String json = new String(EventJson.toBytes(new GenerationRequested("j", "p", null, null, null, null, null,
                null, null, null, null, null)));
        assertThat(json).isEqualTo("{\"jobId\":\"j\",\"prompt\":\"p\"}");
    }

    private static List<Error> errors(String schemaFile, String json) {
        Schema schema = REGISTRY.getSchema(SchemaLocation.of(JsonSchemas.id(schemaFile)));
        return schema.validate(json, InputFormat.JSON);
    }

    private static JsonNode read(String schemaFile) throws IOException {
        try (InputStream in = SchemaContractTest.class.getClassLoader()
                .getResourceAsStream(JsonSchemas.CLASSPATH_PREFIX + schemaFile)) {
            assertThat(in).as(schemaFile).isNotNull();
            return EventJson.mapper().readTree(in);
        }
    }

    private static Set<String> schemaProperties(String schemaFile) throws IOException {
        Set<String> names = new TreeSet<>();
        Iterator<String> it = read(schemaFile).path("properties").fieldNames();
        it.forEachRemaining(names::add);
        return names;
    }

    private static Set<String> components(Class<?> recordClass) {
        return Arrays.stream(recordClass.getRecordComponents()).map(RecordComponent::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
