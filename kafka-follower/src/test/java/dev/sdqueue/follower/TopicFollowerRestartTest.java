package dev.sdqueue.follower;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The follower across a broker restart. A broker of its own: a test producer on a restarted single-node broker
 * has been seen to time out on new topics, which must not leak into the other tests.
 */
class TopicFollowerRestartTest {

    @Test
    void itKeepsReadingAcrossABrokerRestart() throws Exception {
        try (TestBroker broker = new TestBroker()) {
            String topic = broker.newTopic(2);
            List<String> seen = new CopyOnWriteArrayList<>();
            try (TopicFollower<String, String> follower = TopicFollower.builder(new StringDeserializer(),
                            new StringDeserializer()).bootstrapServers(broker.bootstrapServers())
                    .clientId("test-restart").topics(topic).pollTimeout(Duration.ofMillis(50))
                    .retryBackoff(Duration.ofMillis(200)).onRecord(r -> seen.add(r.value())).build().start()) {
                assertThat(follower.awaitCaughtUp(Duration.ofSeconds(30))).isTrue();
                broker.send(topic, 0, "before");
                broker.restartKafka();
                broker.send(topic, 1, "after");
                assertThat(follower.awaitUpToNow(Duration.ofSeconds(60))).isTrue();
                assertThat(seen).containsExactlyInAnyOrder("before", "after");
                assertThat(follower.state()).isEqualTo(FollowerState.FOLLOWING);
            }
        }
    }
}
