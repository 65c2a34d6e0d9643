package dev.sdqueue.dispatcher.status;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sdqueue.schema.EventJson;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;

/**
 * One dispatcher replica's status store without Quarkus: the production topology, {@link StatusStoreState} (with
 * the co-partitioning gate), {@link StatusLookup} and {@link StatusForwarder}, and the internal endpoint on a JDK
 * HTTP server at the replica's advertised port. Tests start several against one real broker.
 */
public final class StatusReplica implements AutoCloseable {
    static {
        // The JDK server writes headers and body separately: without TCP_NODELAY, Nagle + delayed ACK add ~40 ms.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    final String applicationId;
    final Path stateDir;
    final StatusCounters counters = new StatusCounters();
    final AcceptedJobs accepted = new AcceptedJobs(Duration.ofMinutes(5), 1_000, System::nanoTime);
    final List<String> fatal = new java.util.concurrent.CopyOnWriteArrayList<>();
    final StatusStoreState state;
    final KafkaStreams streams;
    final StatusLookup lookup;
    final StandbyLags standbyLags;
    private final HttpServer http;
    private boolean closed;

    private StatusReplica(Builder b) throws IOException {
        this.applicationId = b.applicationId;
        this.stateDir = b.stateDir;
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.setExecutor(Executors.newFixedThreadPool(4));
        HostInfo self = new HostInfo("127.0.0.1", http.getAddress().getPort());
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, b.applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers);
        props.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
        props.put(StreamsConfig.STATE_DIR_CONFIG, b.stateDir.toString());
        props.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, 1);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
        props.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbConfig.class);
        props.put("session.timeout.ms", 10_000); // as application.properties: members do not leave on close
        props.put("heartbeat.interval.ms", 3_000);
        StreamsConfig config = new StreamsConfig(props);
        state = new StatusStoreState(b.gate != null ? b.gate : stopping -> {
            Admin admin = Admin.create(config.getAdminConfigs("test-topics-check"));
            try {
                CoPartitioning.await(admin, b.topicsTimeout, Duration.ofMillis(200), stopping);
            } finally {
                admin.close(Duration.ZERO);
            }
        }, fatal::add);
        streams = new KafkaStreams(StatusTopology.build(b.ttl, b.scanInterval, counters), config);
        streams.setStateListener(state);
        streams.setGlobalStateRestoreListener(state);
        standbyLags = StandbyLags.sampled(streams, b.standbyMaxLag, Duration.ofMillis(200));
        lookup = new StatusLookup(streams, self, new StatusForwarder(Duration.ofSeconds(1)), standbyLags, accepted,
                counters, b.ttl, System::currentTimeMillis);
        http.createContext(StatusForwarder.PATH, this::internalEndpoint);
        http.start();
    }

    public static Builder builder(String bootstrapServers, String applicationId, Path stateDir) {
        return new Builder(bootstrapServers, applicationId, stateDir);
    }

    /** Starts Kafka Streams (the gate runs first, on this thread, as in the application). */
    public StatusReplica start() {
        streams.start();
        return this;
    }

    public StatusLookup lookup() {
        return lookup;
    }

    public KafkaStreams streams() {
        return streams;
    }

    int port() {
        return http.getAddress().getPort();
    }

    HostInfo host() {
        return new HostInfo("127.0.0.1", port());
    }

    /** Like {@code GET /internal/v1/status/{id}} of the application (InternalStatusResource). */
    private void internalEndpoint(HttpExchange exchange) throws IOException {
        String id = URLDecoder.decode(exchange.getRequestURI().getRawPath().substring(StatusForwarder.PATH.length()),
                StandardCharsets.UTF_8);
        boolean standby = "stale=true".equals(exchange.getRequestURI().getQuery());
        Lookup found = lookup.findHere(id, standby);
        if (found instanceof Lookup.Found local) {
            byte[] body = EventJson.toBytes(local.status());
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } else {
            exchange.sendResponseHeaders(found instanceof Lookup.Missing ? 404 : 503, -1);
            exchange.close();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        state.stopping();
        standbyLags.close();
        streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(Duration.ofSeconds(30)));
        http.stop(0);
        ((java.util.concurrent.ExecutorService) http.getExecutor()).shutdownNow();
        try {
            ((java.util.concurrent.ExecutorService) http.getExecutor()).awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static final class Builder {
        private final String bootstrapServers;
        private final String applicationId;
        private final Path stateDir;
        private Duration ttl = Duration.ofDays(7);
        private Duration scanInterval = Duration.ofMinutes(1);
        private Duration topicsTimeout = Duration.ofSeconds(30);
        private StatusStoreState.Gate gate;
        private long standbyMaxLag = -1;

        private Builder(String bootstrapServers, String applicationId, Path stateDir) {
            this.bootstrapServers = bootstrapServers;
            this.applicationId = applicationId;
            this.stateDir = stateDir;
        }

        Builder ttl(Duration value, Duration scan) {
            this.ttl = value;
            this.scanInterval = scan;
            return this;
        }

        Builder topicsTimeout(Duration value) {
            this.topicsTimeout = value;
            return this;
        }

        /** As {@code sdq.status.standby-max-lag}; by default -1 (standby copies answer for final statuses only). */
        Builder standbyMaxLag(long value) {
            this.standbyMaxLag = value;
            return this;
        }

        Builder gate(StatusStoreState.Gate value) {
            this.gate = value;
            return this;
        }

        public StatusReplica build() {
            try {
                return new StatusReplica(this);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
