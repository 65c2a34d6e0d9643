package dev.sdqueue.worker.kafka;

import static dev.sdqueue.worker.kafka.KafkaTestClient.deadLetter;
import static dev.sdqueue.worker.kafka.KafkaTestClient.eventsUntilTerminal;
import static dev.sdqueue.worker.kafka.KafkaTestClient.header;
import static dev.sdqueue.worker.kafka.KafkaTestClient.newJobId;
import static dev.sdqueue.worker.kafka.KafkaTestClient.onPartition0;
import static dev.sdqueue.worker.kafka.KafkaTestClient.send;
import static dev.sdqueue.worker.kafka.KafkaTestClient.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.Headers;
import dev.sdqueue.schema.Topics;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * Records on the request topic that are not requests this worker reads: each lands in the DLQ with its reason and
 * the original bytes, the job its key names gets one {@code failed} event, and the consumer keeps going (a valid
 * job sent after all of them on the same partition completes).
 */
@QuarkusTest
@WithTestResource(value = WorkerStackResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class PoisonRecordTest {

    private record Poison(String reason, ProducerRecord<byte[], byte[]> record) {
    }

    @Test
    void eachPoisonKindIsDeadLetteredWithItsReasonAndTheNextJobStillCompletes() throws Exception {
        Map<String, Poison> poisons = new LinkedHashMap<>();
        add(poisons, "not_utf8", new byte[] {'{', '"', 'p', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
        add(poisons, "not_json", utf8("this is not json"));
        add(poisons, "wrong_shape", utf8("[\"a\", \"list\"]"));
        add(poisons, "wrong_shape", utf8("{\"prompt\":\"p\",\"steps\":\"many\"}"));
        add(poisons, "unknown_version", utf8("{\"prompt\":\"p\",\"schemaVersion\":2}"));
        add(poisons, "empty", null);
        String v2 = newJobId();
        ProducerRecord<byte[], byte[]> typed = onPartition0(v2, utf8("{\"prompt\":\"p\"}"));
        typed.headers().add(Headers.CE_TYPE, utf8("dev.sdqueue.generation.requested.v2"));
        poisons.put(v2, new Poison("unknown_version", typed));
        // CloudEvents headers SmallRye would fail to parse (no ce_source): must not end the channel.
        String brokenCe = newJobId();
        ProducerRecord<byte[], byte[]> ce = onPartition0(brokenCe, utf8("{not json"));
        ce.headers().add(Headers.CE_SPECVERSION, utf8("1.0"));
        ce.headers().add(Headers.CE_TIME, utf8("yesterday"));
        poisons.put(brokenCe, new Poison("not_json", ce));
        for (Poison poison : poisons.values()) {
            send(poison.record());
        }
        String good = newJobId();
        send(onPartition0(good, EventJson.toBytes(KafkaTestClient.validRequest(good))));

        List<GenerationEvent> goodEvents = eventsUntilTerminal(good);
        assertThat(goodEvents.get(goodEvents.size() - 1)).isInstanceOf(GenerationEvent.Completed.class);
        for (Map.Entry<String, Poison> entry : poisons.entrySet()) {
            String jobId = entry.getKey();
            Poison poison = entry.getValue();
            ConsumerRecord<byte[], byte[]> dead = deadLetter(jobId);
            assertThat(header(dead, Headers.DLQ_REASON)).as("reason of %s", jobId).isEqualTo(poison.reason());
            assertThat(header(dead, Headers.DLQ_MESSAGE)).isNotBlank();
            assertThat(header(dead, "dead-letter-topic")).isEqualTo(Topics.REQUESTS);
            assertThat(dead.value()).isEqualTo(poison.record().value());
            List<GenerationEvent> events = eventsUntilTerminal(jobId);
            assertThat(events).as("events of %s", jobId).singleElement()
                    .isInstanceOfSatisfying(GenerationEvent.Failed.class, failed -> {
                        assertThat(failed.reason()).isEqualTo(poison.reason());
                        assertThat(failed.retriable()).isFalse();
                        assertThat(failed.attempt()).isEqualTo(1);
                    });
        }
    }

    @Test
    void aRecordWithoutAnyJobIdIsDeadLetteredAndPublishesNothing() throws Exception {
        byte[] value = utf8("{\"prompt\":\"nobody's job\"}");
        send(new ProducerRecord<>(Topics.REQUESTS, 0, null, value));
        KafkaTestClient.flushPartition0();

        List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestClient.read(Topics.DEAD_LETTER,
                r -> r.key() == null && Arrays.equals(r.value(), value), found -> !found.isEmpty());
        assertThat(header(dead.get(0), Headers.DLQ_REASON)).isEqualTo("wrong_shape");
    }

    @Test
    void multiMegabyteRecordsAreDeadLetteredWholeOrWithoutTheirValueWhenTheDlqRefusesTheSize() throws Exception {
        String fits = newJobId();
        byte[] twoMegabytes = new byte[2 * 1024 * 1024];
        Arrays.fill(twoMegabytes, (byte) 'a');
        send(onPartition0(fits, twoMegabytes));
        String tooBigForTheDlq = newJobId();
        byte[] sixMegabytes = new byte[6 * 1024 * 1024];
        Arrays.fill(sixMegabytes, (byte) 'b');
        send(onPartition0(tooBigForTheDlq, sixMegabytes));
        KafkaTestClient.flushPartition0();

        ConsumerRecord<byte[], byte[]> whole = deadLetter(fits);
        assertThat(header(whole, Headers.DLQ_REASON)).isEqualTo("too_large");
        assertThat(whole.value()).isEqualTo(twoMegabytes);
        ConsumerRecord<byte[], byte[]> withoutValue = deadLetter(tooBigForTheDlq);
        assertThat(header(withoutValue, Headers.DLQ_REASON)).isEqualTo("too_large");
        assertThat(withoutValue.value()).isEmpty();
        assertThat(header(withoutValue, DeadLetterPublisher.VALUE_DROPPED)).isEqualTo(
                Integer.toString(sixMegabytes.length));
        assertThat(header(withoutValue, "dead-letter-offset")).isNotBlank();
        for (String jobId : List.of(fits, tooBigForTheDlq)) {
            assertThat(eventsUntilTerminal(jobId)).singleElement().isInstanceOfSatisfying(
                    GenerationEvent.Failed.class, failed -> assertThat(failed.reason()).isEqualTo("too_large"));
        }
    }

    private static void add(Map<String, Poison> poisons, String reason, byte[] value) {
        String jobId = newJobId();
        poisons.put(jobId, new Poison(reason, onPartition0(jobId, value)));
    }
}
