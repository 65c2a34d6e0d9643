package dev.sdqueue.worker.kafka;

import dev.sdqueue.schema.Topics;
import dev.sdqueue.worker.WorkerConfig;
import dev.sdqueue.worker.routing.RetrySchedule;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The request, retry and event topics as the broker has them, checked against {@link PartitioningRules} before the
 * worker consumes anything (startup observer at priority 600; SmallRye connects the channels after). Topics not
 * created yet are waited for up to {@code sdq.worker.topics-timeout}; a broken rule stops the startup with a message
 * naming the topics, their counts and the fix. Also the producer's partitioner, to find a job's events partition.
 */
@Singleton
public final class TopicLayout {
    private static final Logger LOG = Logger.getLogger(TopicLayout.class);
    private static final Duration RETRY_EVERY = Duration.ofSeconds(1);

    private final Map<String, Object> connection;
    private final List<String> retryTopics;
    private final Duration timeout;
    private volatile int eventPartitions;

    @jakarta.inject.Inject
    public TopicLayout(@Identifier("default-kafka-broker") Map<String, Object> kafkaConfig,
                       @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers,
                       RetrySchedule retries, WorkerConfig.Worker worker) {
        this(withBootstrap(kafkaConfig, bootstrapServers), retries.topics(), worker.topicsTimeout());
    }

    TopicLayout(Map<String, Object> connection, List<String> retryTopics, Duration timeout) {
        this.connection = Map.copyOf(connection);
        this.retryTopics = List.copyOf(retryTopics);
        this.timeout = timeout;
    }

    /**
     * Quarkus fills the default-kafka-broker map by iterating property names, so with both -Dkafka.bootstrap.servers
     * and KAFKA_BOOTSTRAP_SERVERS set it holds whichever came last in hash order; the config's ordinal decides here
     * (-D over environment), as for the channels.
     */
    private static Map<String, Object> withBootstrap(Map<String, Object> kafkaConfig, String bootstrapServers) {
        Map<String, Object> resolved = new HashMap<>(kafkaConfig);
        resolved.put("bootstrap.servers", bootstrapServers);
        return resolved;
    }

    /** The shared connection settings (bootstrap servers, security); clients drop what they do not know. */
    public Map<String, Object> connection() {
        return connection;
    }

    void checkBeforeConsuming(@Observes @Priority(600) StartupEvent startup) throws InterruptedException {
        check();
    }

    /** Waits for the topics, checks the rules and remembers the events partition count; throws if a rule fails. */
    void check() throws InterruptedException {
        Map<String, Integer> counts = await();
        List<String> broken = PartitioningRules.violations(counts, retryTopics);
        if (!broken.isEmpty()) {
            throw new IllegalStateException("the topics are not partitioned as the worker needs: "
                    + String.join("; ", broken));
        }
        eventPartitions = counts.get(Topics.EVENTS);
        LOG.infof("topics checked: %s", counts);
    }

    /** The events partition of a job: Kafka's default partitioner on the job id, as every producer keys it. */
    public int partitionOfJob(String jobId) {
        int partitions = eventPartitions;
        if (partitions == 0) {
            throw new IllegalStateException("the topic layout is not checked yet");
        }
        return partitionFor(jobId, partitions);
    }

    /** The producer's own partitioner for a keyed record (the key serialized as StringSerializer does: UTF-8). */
    static int partitionFor(String key, int partitions) {
        return BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), partitions);
    }

    private Map<String, Integer> await() throws InterruptedException {
        List<String> names = new ArrayList<>(List.of(Topics.REQUESTS, Topics.EVENTS));
        names.addAll(retryTopics);
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Object> adminConfig = new HashMap<>();
        connection.forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key)) {
                adminConfig.put(key, value);
            }
        });
        adminConfig.put(AdminClientConfig.CLIENT_ID_CONFIG, "sdq-worker-topic-check");
        try (Admin admin = Admin.create(adminConfig)) {
            String last = "";
            while (true) {
                try {
                    Map<String, TopicDescription> found = admin.describeTopics(names).allTopicNames()
                            .get(RETRY_EVERY.toMillis() * 5, TimeUnit.MILLISECONDS);
                    Map<String, Integer> counts = new HashMap<>();
                    found.forEach((name, description) -> counts.put(name, description.partitions().size()));
                    return counts;
                } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                    Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                    last = cause instanceof UnknownTopicOrPartitionException
                            ? "a topic of " + names + " does not exist" : cause.toString();
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("cannot check the topics " + names + " on "
                            + connection.get("bootstrap.servers") + " within " + timeout.toSeconds()
                            + " s (sdq.worker.topics-timeout): " + last);
                }
                LOG.infof("waiting for the topics: %s", last);
                Thread.sleep(RETRY_EVERY.toMillis());
            }
        }
    }
}
