package dev.sdqueue.worker.kafka;

import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.reactive.messaging.Message;

/** One request record as the channel delivered it, and where it came from. */
record Delivery(Message<byte[]> message, IncomingKafkaRecordMetadata<?, ?> kafka) {

    String topic() {
        return kafka.getTopic();
    }

    int partition() {
        return kafka.getPartition();
    }

    long offset() {
        return kafka.getOffset();
    }

    /** When the record was appended (its producer's CreateTime). */
    Instant timestamp() {
        return kafka.getTimestamp();
    }

    Headers headers() {
        return kafka.getHeaders();
    }

    byte[] value() {
        return message.getPayload();
    }

    byte[] keyBytes() {
        Object key = kafka.getKey();
        if (key == null || key instanceof byte[]) {
            return (byte[]) key;
        }
        return key.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return topic() + "-" + partition() + "@" + offset();
    }
}
