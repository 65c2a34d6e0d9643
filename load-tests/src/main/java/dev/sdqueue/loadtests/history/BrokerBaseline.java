package dev.sdqueue.loadtests.history;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;

/**
 * The topics and groups of a preloaded broker, so that what one variant created on it (e.g. a Kafka Streams
 * application's changelog and repartition topics, its consumer group) is deleted before the next variant runs:
 * each variant then starts on the same broker as a first deployment would.
 */
final class BrokerBaseline {
    private final Set<String> topics;
    private final Set<String> groups;

    private BrokerBaseline(Set<String> topics, Set<String> groups) {
        this.topics = topics;
        this.groups = groups;
    }

    static BrokerBaseline snapshot(String bootstrapServers) throws Exception {
        try (Admin admin = HistoryPreload.admin(bootstrapServers)) {
            return new BrokerBaseline(new TreeSet<>(admin.listTopics().names().get(30, TimeUnit.SECONDS)),
                    groups(admin));
        }
    }

    private static Set<String> groups(Admin admin) throws Exception {
        Set<String> ids = new TreeSet<>();
        for (GroupListing group : admin.listGroups().all().get(30, TimeUnit.SECONDS)) {
            ids.add(group.groupId());
        }
        return ids;
    }

    /**
     * Deletes the topics and groups created since the snapshot (retrying a group for up to a minute while members
     * still leave). Returns what was deleted, and what could not be, for the report.
     */
    List<String> restore(String bootstrapServers, PrintStream out) throws Exception {
        List<String> done = new ArrayList<>();
        try (Admin admin = HistoryPreload.admin(bootstrapServers)) {
            Set<String> newTopics = new TreeSet<>(admin.listTopics().names().get(30, TimeUnit.SECONDS));
            newTopics.removeAll(topics);
            if (!newTopics.isEmpty()) {
                admin.deleteTopics(newTopics).all().get(60, TimeUnit.SECONDS);
                newTopics.forEach(topic -> done.add("deleted topic " + topic));
            }
            Set<String> newGroups = groups(admin);
            newGroups.removeAll(groups);
            for (String group : newGroups) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (true) {
                    try {
                        admin.deleteConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS);
                        done.add("deleted group " + group);
                        break;
                    } catch (ExecutionException e) {
                        if (System.nanoTime() > deadline) {
                            done.add("could not delete group " + group + ": " + e.getCause());
                            break;
                        }
                        Thread.sleep(1000);
                    }
                }
            }
        }
        done.forEach(line -> out.println("  broker: " + line));
        return done;
    }
}
