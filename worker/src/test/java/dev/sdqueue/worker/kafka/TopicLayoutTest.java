package dev.sdqueue.worker.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sdqueue.local.LocalStack;
import dev.sdqueue.schema.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The startup check on a real broker: what the local stack creates passes; a short retry topic stops the worker. */
class TopicLayoutTest {
    private static LocalStack stack;

    @BeforeAll
    static void start() {
        stack = LocalStack.forTests().start();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private static Map<String, Object> connection() {
        return Map.of("bootstrap.servers", stack.bootstrapServers());
    }

    @Test
    void theLocalStacksTopicsPassAndGiveTheEventPartitionOfAJob() throws Exception {
        TopicLayout layout = new TopicLayout(connection(), List.of(Topics.retry(10_000)), Duration.ofSeconds(30));
        assertThatThrownBy(() -> layout.partitionOfJob("job-1")).as("not checked yet")
                .isInstanceOf(IllegalStateException.class);

        layout.check();

        assertThat(layout.partitionOfJob("job-1"))
                .isEqualTo(TopicLayout.partitionFor("job-1", stack.config().partitions()));
    }

    @Test
    void aRetryTopicWithFewerPartitionsStopsTheStartupNamingIt() throws Exception {
        String shortRetry = Topics.retry(777);
        try (Admin admin = Admin.create(connection())) {
            admin.createTopics(List.of(new NewTopic(shortRetry, 1, (short) 1))).all().get();
        }
        TopicLayout layout = new TopicLayout(connection(), List.of(shortRetry), Duration.ofSeconds(30));

        assertThatThrownBy(layout::check).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(shortRetry + " has 1 partitions, fewer than " + Topics.REQUESTS);
    }

    @Test
    void aMissingTopicIsWaitedForThenNamed() {
        String missing = Topics.retry(888);
        TopicLayout layout = new TopicLayout(connection(), List.of(missing), Duration.ofSeconds(2));

        assertThatThrownBy(layout::check).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("within 2 s (sdq.worker.topics-timeout)").hasMessageContaining(missing);
    }
}
