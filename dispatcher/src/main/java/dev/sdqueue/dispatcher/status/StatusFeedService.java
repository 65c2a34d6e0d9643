package dev.sdqueue.dispatcher.status;

import dev.sdqueue.dispatcher.DispatcherConfig;
import dev.sdqueue.dispatcher.InstanceIdentity;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Starts the {@link StatusFeed} with the application and stops it on shutdown; exposes its state to health/metrics. */
@ApplicationScoped
public class StatusFeedService {
    private final JobStatusView view = new JobStatusView();
    private volatile StatusFeed feed;

    @Inject
    DispatcherConfig.Status config;
    @Inject
    InstanceIdentity instance;
    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;
    @Inject
    MeterRegistry registry;
    /** Resolved by ordinal (-D over environment over application.properties), unlike the map above: see start. */
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrapServers;

    @Produces
    @Singleton
    JobStatusView view() {
        return view;
    }

    void start(@Observes StartupEvent event) {
        // Quarkus builds the default-kafka-broker map by iterating property names, so with both
        // -Dkafka.bootstrap.servers and a KAFKA_BOOTSTRAP_SERVERS environment variable the map holds whichever
        // name came last in hash order; the ordinal decides here, as it does for the producer channel.
        Map<String, Object> consumerConfig = new HashMap<>(kafkaConfig);
        consumerConfig.put("bootstrap.servers", bootstrapServers);
        feed = new StatusFeed(consumerConfig, "sdq-dispatcher-status-" + instance.id(), view,
                config.partitionRefresh(), config.kafkaTimeout()).start();
        Gauge.builder("sdq.status.jobs", view, JobStatusView::size)
                .description("Jobs in this replica's status view").register(registry);
        Gauge.builder("sdq.status.records.skipped", this, s -> s.feed.skippedRecords())
                .description("Records of the requests/events topics the status view could not read")
                .register(registry);
    }

    void stop(@Observes ShutdownEvent event) {
        StatusFeed current = feed;
        if (current != null) {
            current.close();
        }
    }

    /** False until the view holds everything that was on the topics when this replica started. */
    public boolean caughtUp() {
        StatusFeed current = feed;
        return current != null && current.caughtUp();
    }

    public boolean alive() {
        StatusFeed current = feed;
        return current != null && current.alive();
    }

    public long appliedRecords() {
        StatusFeed current = feed;
        return current == null ? 0 : current.appliedRecords();
    }
}
