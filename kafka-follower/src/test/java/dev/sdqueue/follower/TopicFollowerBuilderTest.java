package dev.sdqueue.follower;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.DisconnectException;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** What a follower is built with, and which errors it retries: no broker needed. */
class TopicFollowerBuilderTest {

    private static TopicFollowerBuilder<String, String> builder() {
        return TopicFollower.builder(new StringDeserializer(), new StringDeserializer());
    }

    private static TopicFollowerBuilder<String, String> complete() {
        return builder().bootstrapServers("127.0.0.1:1").topics("a").clientId("c").onRecord(r -> { });
    }

    @Test
    void eachRequiredSettingIsNamedWhenMissing() {
        assertThatThrownBy(() -> builder().topics("a").clientId("c").onRecord(r -> { }).build())
                .hasMessageContaining("bootstrap servers");
        assertThatThrownBy(() -> builder().bootstrapServers("x:1").clientId("c").onRecord(r -> { }).build())
                .hasMessageContaining("topic");
        assertThatThrownBy(() -> builder().bootstrapServers("x:1").topics("a").onRecord(r -> { }).build())
                .hasMessageContaining("client id");
        assertThatThrownBy(() -> builder().bootstrapServers("x:1").topics("a").clientId("c").build())
                .hasMessageContaining("handler");
        assertThatThrownBy(() -> complete().property("group.id", "g")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> complete().pollTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StartPosition.lookback(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void openingFromTheBuilderTurnsAnInterruptIntoAFailureAndKeepsTheFlag() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> complete().closeTimeout(Duration.ofSeconds(2)).open(Duration.ofSeconds(5)))
                    .isInstanceOf(FollowerFailedException.class).hasMessageContaining("interrupted while opening")
                    .hasCauseInstanceOf(InterruptedException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aSharedConnectionMapLosesItsGroupAndDeserializersAndTheFollowerNeverCommitsOrCreatesTopics() {
        FollowerSettings<String, String> settings = builder()
                .connection(Map.of("bootstrap.servers", "b:9092", "group.id", "g", "client.id", "other",
                        "security.protocol", "PLAINTEXT", "value.deserializer", "x.Y", "key.serializer", "x.Z"))
                .property("max.poll.records", 2000).readCommitted().clientId("mine").topics("a", "b", "a")
                .onBatch(batch -> { }).build().settings();
        assertThat(settings.consumerConfig()).containsEntry("bootstrap.servers", "b:9092")
                .containsEntry("security.protocol", "PLAINTEXT").containsEntry("client.id", "mine")
                .containsEntry("enable.auto.commit", false).containsEntry("allow.auto.create.topics", false)
                .containsEntry("auto.offset.reset", "earliest").containsEntry("isolation.level", "read_committed")
                .containsEntry("max.poll.records", 2000)
                .doesNotContainKeys("group.id", "value.deserializer", "key.serializer");
        assertThat(settings.topics()).containsExactly("a", "b");
        assertThat(settings.start()).isEqualTo(StartPosition.beginning());
        assertThat(settings.missingTopics()).isEqualTo(MissingTopicPolicy.WAIT);
    }

    @Test
    void theBarriersAdminClientGetsOnlyTheSettingsAnAdminKnows() {
        Map<String, Object> admin = EndOffsets.adminConfig(Map.of("bootstrap.servers", "b:1",
                "security.protocol", "SSL", "isolation.level", "read_committed", "max.poll.records", 5), "c-end");
        assertThat(admin).containsOnly(Map.entry("bootstrap.servers", "b:1"), Map.entry("security.protocol", "SSL"),
                Map.entry("client.id", "c-end"));
    }

    @Test
    void startPositionsSearchFromTheirInstant() {
        long now = 1_000_000L;
        assertThat(StartPosition.searchMillis(StartPosition.lookback(Duration.ofSeconds(10)), now))
                .isEqualTo(990_000L);
        assertThat(StartPosition.searchMillis(StartPosition.timestamp(Instant.ofEpochMilli(42)), now)).isEqualTo(42);
        assertThat(StartPosition.searchMillis(StartPosition.beginning(), now)).isEqualTo(-1);
        assertThat(StartPosition.searchMillis(StartPosition.end(), now)).isEqualTo(-1);
    }

    @Test
    void connectionTroubleIsRetriedButBadPermissionsAndUnreadableRecordsAreNot() {
        assertThat(FollowLoop.retriable(new TimeoutException("t"))).isTrue();
        assertThat(FollowLoop.retriable(new DisconnectException("d"))).isTrue();
        assertThat(FollowLoop.retriable(new UnknownTopicOrPartitionException("u"))).isTrue();
        assertThat(FollowLoop.retriable(new KafkaException("k"))).isTrue();
        assertThat(FollowLoop.retriable(new TopicAuthorizationException("a"))).isFalse();
        assertThat(FollowLoop.retriable(new RecordDeserializationException(
                RecordDeserializationException.DeserializationExceptionOrigin.VALUE,
                new org.apache.kafka.common.TopicPartition("t", 0), 1, 0, null, null, null, null, "bad", null)))
                .isFalse();
    }
}
