package dev.sdqueue.ops.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Headers;
import dev.sdqueue.schema.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Each poison kind really is what it claims: the worker must not be able to read it as a v1 request. */
class PoisonRecordsTest {

    @Test
    void theKindsCycleAndEveryRecordGoesToTheRequestTopicWithAUniqueCeId() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            ProducerRecord<String, byte[]> record = PoisonRecords.record(i, "run1");
            assertThat(record.topic()).isEqualTo(Topics.REQUESTS);
            assertThat(PoisonRecords.kindOf(i)).isEqualTo(PoisonRecords.Kind.values()[i % 5]);
            ids.add(header(record, Headers.CE_ID));
            // Every second cycle of five comes without a key.
            assertThat(record.key() == null).isEqualTo((i / 5) % 2 == 1);
        }
        assertThat(ids).hasSize(20);
    }

    @Test
    void notJsonIsNoJson() {
        byte[] value = PoisonRecords.record(0, "r").value();
        assertThatThrownBy(() -> EventJson.mapper().readTree(value)).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void notUtf8CannotBeDecoded() {
        byte[] value = PoisonRecords.record(1, "r").value();
        assertThatThrownBy(() -> StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(value)))
                .isInstanceOf(CharacterCodingException.class);
    }

    @Test
    void wrongShapeIsJsonButNoRequest() throws Exception {
        for (int index : new int[] {2, 7}) {
            byte[] value = PoisonRecords.record(index, "r").value();
            assertThat(EventJson.mapper().readTree(value)).isNotNull();
            assertThatThrownBy(() -> EventJson.fromBytes(value, GenerationRequested.class))
                    .as("kind wrong_shape, index %d", index).isInstanceOf(java.io.IOException.class);
        }
    }

    @Test
    void unknownVersionIsAReadableRequestUnderAV2Type() throws Exception {
        ProducerRecord<String, byte[]> record = PoisonRecords.record(3, "r");
        assertThat(header(record, Headers.CE_TYPE)).isEqualTo("dev.sdqueue.generation.requested.v2")
                .isNotEqualTo(Headers.TYPE_REQUESTED);
        assertThat(EventJson.fromBytes(record.value(), GenerationRequested.class).jobId()).isEqualTo(record.key());
    }

    @Test
    void hugeIsSeveralMegabytesOfAnOtherwiseWellFormedRequest() throws Exception {
        ProducerRecord<String, byte[]> record = PoisonRecords.record(4, "r");
        assertThat(record.value().length).isGreaterThan(PoisonRecords.HUGE_BYTES).isGreaterThan(2 * 1024 * 1024);
        assertThat(EventJson.fromBytes(record.value(), GenerationRequested.class).prompt()).hasSize(
                PoisonRecords.HUGE_BYTES);
        assertThat(header(record, Headers.CE_TYPE)).isEqualTo(Headers.TYPE_REQUESTED);
    }

    private static String header(ProducerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
