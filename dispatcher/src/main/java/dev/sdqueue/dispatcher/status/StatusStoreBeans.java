package dev.sdqueue.dispatcher.status;

import dev.sdqueue.dispatcher.DispatcherConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.interceptor.Interceptor;
import java.time.Duration;
import java.util.Locale;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.HostInfo;
import org.jboss.logging.Logger;

/**
 * Wires the job-status store into Quarkus. quarkus-kafka-streams builds and starts {@link KafkaStreams} from the
 * {@link Topology} produced here (config: {@code kafka-streams.*} and {@code quarkus.kafka-streams.*} in
 * application.properties) and registers {@link StatusStoreState} as its state and restore listener.
 */
@Singleton
public class StatusStoreBeans {
    private static final Logger LOG = Logger.getLogger(StatusStoreBeans.class);
    /** Accepted jobs are kept for read-your-writes this long at most (the store has them within seconds). */
    static final Duration ACCEPTED_RETENTION = Duration.ofMinutes(5);
    /** ...and at most this many (about 1,000 jobs/s for 100 s): a bound on memory, not a store. */
    static final int ACCEPTED_MAX = 100_000;
    private static final Duration GATE_POLL = Duration.ofMillis(500);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(20);

    private final StatusCounters counters = new StatusCounters();

    @Inject
    DispatcherConfig.Status config;
    @Inject
    DispatcherConfig.Idempotency idempotency;
    @Inject
    DispatcherConfig.Instance instance;
    /** Resolved only when the gate runs: the extension builds StreamsConfig after asking for the listener. */
    @Inject
    Instance<StreamsConfig> streamsConfig;

    /** Before Kafka Streams is started: settings that contradict each other fail the startup. */
    void validate(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        StatusSettings.check(config.ttl(), config.ttlScanInterval(), idempotency.window());
        StatusSettings.hostInfo(instance.advertisedAddress());
    }

    @Produces
    @Singleton
    Topology topology() {
        return StatusTopology.build(config.ttl(), config.ttlScanInterval(), counters);
    }

    @Produces
    @Singleton
    StatusCounters counters() {
        return counters;
    }

    @Produces
    @Singleton
    StatusStoreState state() {
        return new StatusStoreState(stopping -> {
            Admin admin = Admin.create(streamsConfig.get().getAdminConfigs("sdq-status-topics-check"));
            try {
                int partitions = CoPartitioning.await(admin, config.topicsTimeout(), GATE_POLL, stopping);
                LOG.infof("status store: %s co-partitioned with %d partition(s); starting", CoPartitioning.TOPICS,
                        partitions);
            } finally {
                admin.close(Duration.ZERO); // not Admin's default close, which waits out calls to a missing broker
            }
        }, reason -> Quarkus.asyncExit(1));
    }

    @Produces
    @Singleton
    AcceptedJobs accepted() {
        // Never longer than the TTL: a job the store has already expired must not come back from here.
        Duration retention = config.ttl().compareTo(ACCEPTED_RETENTION) < 0 ? config.ttl() : ACCEPTED_RETENTION;
        return new AcceptedJobs(retention, ACCEPTED_MAX, System::nanoTime);
    }

    @Produces
    @Singleton
    StandbyLags standbyLags(KafkaStreams streams) {
        return StandbyLags.sampled(streams, config.standbyMaxLag(), config.standbyLagInterval());
    }

    @Produces
    @Singleton
    StatusLookup lookup(KafkaStreams streams, StandbyLags standbyLags, AcceptedJobs accepted) {
        return new StatusLookup(streams, StatusSettings.hostInfo(instance.advertisedAddress()),
                new StatusForwarder(config.forwardTimeout()), standbyLags, accepted, counters, config.ttl(),
                System::currentTimeMillis);
    }

    void metrics(@Observes StartupEvent event, MeterRegistry registry, StatusLookup lookup, StandbyLags standbyLags) {
        Gauge.builder("sdq.status.copies.lag", standbyLags, StandbyLags::totalLag).baseUnit("records")
                .description("Changelog records this replica's store copies are behind (a new replica's standbys "
                        + "while they restore; about 0 once warm); -1 before the first sample")
                .register(registry);
        Gauge.builder("sdq.status.jobs", lookup, StatusLookup::localJobs)
                .description("Approximate jobs in this replica's active status stores (-1 while not queryable)")
                .register(registry);
        Gauge.builder("sdq.status.records.skipped", counters, StatusCounters::skipped)
                .description("Records of the requests/events topics the status store could not read")
                .register(registry);
        Gauge.builder("sdq.status.ttl.seconds", config, c -> c.ttl().toSeconds())
                .description("sdq.status.ttl: how long a job's status is kept after its latest update")
                .register(registry);
        FunctionCounter.builder("sdq.status.records.applied", counters, StatusCounters::applied)
                .description("Records merged into this replica's status stores").register(registry);
        FunctionCounter.builder("sdq.status.expired", counters, StatusCounters::expired)
                .description("Statuses deleted by the TTL scan").register(registry);
        for (Lookup.Source source : Lookup.Source.values()) {
            FunctionCounter.builder("sdq.status.lookups", counters, c -> c.lookups(source))
                    .tag("source", source.name().toLowerCase(Locale.ROOT))
                    .description("Status lookups by where the answer came from").register(registry);
        }
    }

    /**
     * Before the extension's own close: lets a start still waiting for topics give up, and closes with a bound.
     * {@code leaveGroup} takes effect for static members only (kafka-streams.group.instance.id): their partitions
     * move at once; dynamic members' move after {@code session.timeout.ms}.
     */
    void stop(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event, StatusStoreState state,
              KafkaStreams streams, StandbyLags standbyLags) {
        state.stopping();
        standbyLags.close();
        streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(CLOSE_TIMEOUT));
    }
}
