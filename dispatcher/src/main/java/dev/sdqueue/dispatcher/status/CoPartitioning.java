package dev.sdqueue.dispatcher.status;

import dev.sdqueue.schema.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jboss.logging.Logger;

/**
 * The status processor merges a job's request and events in one task, i.e. partition {@code p} of both topics. That
 * holds only if both have the same partition count (and both are keyed by job id with the default partitioner);
 * Kafka Streams verifies co-partitioning only for joins, so this check runs before the store starts.
 */
public final class CoPartitioning {
    public static final List<String> TOPICS = List.of(Topics.REQUESTS, Topics.EVENTS);
    private static final Logger LOG = Logger.getLogger(CoPartitioning.class);
    private static final Duration DESCRIBE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration UNREACHABLE_LOG_EVERY = Duration.ofSeconds(30);

    private CoPartitioning() {
    }

    /** What the partition counts found say. */
    public sealed interface Verdict permits CoPartitioned, Missing, Mismatch {
    }

    public record CoPartitioned(int partitions) implements Verdict {
    }

    public record Missing(List<String> topics) implements Verdict {
    }

    public record Mismatch(String message) implements Verdict {
    }

    /** @param partitions partition count per topic of {@link #TOPICS}; a missing topic is absent */
    public static Verdict judge(Map<String, Integer> partitions) {
        List<String> missing = TOPICS.stream().filter(t -> !partitions.containsKey(t)).toList();
        if (!missing.isEmpty()) {
            return new Missing(missing);
        }
        int requests = partitions.get(Topics.REQUESTS);
        int events = partitions.get(Topics.EVENTS);
        if (requests == events) {
            return new CoPartitioned(requests);
        }
        int wanted = Math.max(requests, events);
        String smaller = requests < events ? Topics.REQUESTS : Topics.EVENTS;
        return new Mismatch("topics are not co-partitioned: " + Topics.REQUESTS + " has " + requests
                + " partition(s), " + Topics.EVENTS + " has " + events + ". The job-status store merges a job's "
                + "request and events by partition number, so both need the same count. Fix: give both the same "
                + "number of partitions (e.g. kafka-topics.sh --alter --topic " + smaller + " --partitions " + wanted
                + "), then restart the dispatcher.");
    }

    /**
     * Describes both topics until they exist, then judges them. Missing topics are waited for at most
     * {@code topicsTimeout} (counted from the first answer that lacks them: the local stack and deployments create
     * them); an unreachable broker is waited for as long as it takes (the dispatcher keeps answering 503 meanwhile).
     *
     * @return the common partition count
     * @throws StatusStoreStartupException on a mismatch, on topics still missing after the timeout, or when
     *                                     {@code stopping} turns true (shutdown)
     */
    public static int await(Admin admin, Duration topicsTimeout, Duration pollInterval, BooleanSupplier stopping) {
        long missingSince = -1;
        long lastUnreachableLog = System.nanoTime() - UNREACHABLE_LOG_EVERY.toNanos();
        while (!stopping.getAsBoolean()) {
            try {
                Verdict verdict = judge(describe(admin, stopping));
                if (verdict instanceof CoPartitioned ok) {
                    return ok.partitions();
                }
                if (verdict instanceof Mismatch mismatch) {
                    throw new StatusStoreStartupException(mismatch.message());
                }
                List<String> missing = ((Missing) verdict).topics();
                long now = System.nanoTime();
                if (missingSince < 0) {
                    missingSince = now;
                    LOG.warnf("status store: waiting up to %s for topic(s) %s to be created", topicsTimeout, missing);
                } else if (now - missingSince > topicsTimeout.toNanos()) {
                    throw new StatusStoreStartupException("topic(s) " + missing + " still missing after "
                            + topicsTimeout + " (sdq.status.topics-timeout): create " + TOPICS + " with the same "
                            + "partition count (./sdq up does; see README, External Kafka and S3), then restart.");
                }
            } catch (ExecutionException | TimeoutException e) {
                if (System.nanoTime() - lastUnreachableLog >= UNREACHABLE_LOG_EVERY.toNanos()) {
                    lastUnreachableLog = System.nanoTime();
                    LOG.warnf("status store: cannot describe %s yet (%s); retrying", TOPICS, e.getCause() != null
                            ? e.getCause() : e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            sleep(pollInterval);
        }
        throw new StatusStoreStartupException("stopped while waiting for " + TOPICS);
    }

    /** Partition counts of the topics that exist; waits in short slices so that {@code stopping} is seen soon. */
    private static Map<String, Integer> describe(Admin admin, BooleanSupplier stopping)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<String, KafkaFuture<TopicDescription>> futures = admin.describeTopics(TOPICS,
                new DescribeTopicsOptions().timeoutMs((int) DESCRIBE_TIMEOUT.toMillis())).topicNameValues();
        KafkaFuture<Void> all = KafkaFuture.allOf(futures.values().toArray(new KafkaFuture<?>[0]));
        long deadline = System.nanoTime() + DESCRIBE_TIMEOUT.toNanos() + TimeUnit.SECONDS.toNanos(1);
        while (!all.isDone()) {
            if (stopping.getAsBoolean() || System.nanoTime() > deadline) {
                throw new TimeoutException("no answer within " + DESCRIBE_TIMEOUT);
            }
            try {
                all.get(100, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException stillWaitingOrFailedBelow) {
                // done, or checked again; a failure is read per topic below
            }
        }
        Map<String, Integer> partitions = new LinkedHashMap<>();
        List<ExecutionException> failures = new ArrayList<>();
        for (String topic : TOPICS) {
            try {
                partitions.put(topic, futures.get(topic).get().partitions().size());
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    failures.add(e);
                }
            }
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        return partitions;
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
