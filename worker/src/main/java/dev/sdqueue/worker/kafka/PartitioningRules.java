package dev.sdqueue.worker.kafka;

import dev.sdqueue.schema.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The partition counts the worker relies on, as a pure function of the topics' counts.
 *
 * <ul>
 *   <li>{@code sdq.generation.events} has as many partitions as {@code sdq.generation.requests}: a job's request and
 *       its events then sit on the same partition number (both keyed by job id, same default partitioner), so a
 *       worker reads only the event partitions of the request partitions it owns ({@link TerminalStateIndex}),
 *       and the dispatcher's status store joins both topics per partition.
 *   <li>every retry topic has at least as many partitions as the request topic: a retry is written to the
 *       partition number its record came from (SmallRye's delayed-retry strategy), which must exist.
 * </ul>
 * The dead-letter topic may have any count.
 */
public final class PartitioningRules {
    private PartitioningRules() {
    }

    /** Every broken rule, as a sentence naming the topics, their counts and the fix; empty if all hold. */
    public static List<String> violations(Map<String, Integer> partitions, List<String> retryTopics) {
        List<String> broken = new ArrayList<>();
        int requests = partitions.get(Topics.REQUESTS);
        int events = partitions.get(Topics.EVENTS);
        if (events != requests) {
            broken.add("%s has %d partitions but %s has %d: both are keyed by job id and must be co-partitioned "
                    .formatted(Topics.EVENTS, events, Topics.REQUESTS, requests)
                    + "(the same count), or a worker would read other workers' event partitions and the status "
                    + "store would split a job's state; recreate one with the other's count");
        }
        for (String retry : retryTopics) {
            int count = partitions.get(retry);
            if (count < requests) {
                broken.add("%s has %d partitions, fewer than %s (%d): a retry is written to the partition number "
                        .formatted(retry, count, Topics.REQUESTS, requests)
                        + "of its request, so partitions %d..%d could not be retried; add partitions to it"
                        .formatted(count, requests - 1));
            }
        }
        return broken;
    }
}
