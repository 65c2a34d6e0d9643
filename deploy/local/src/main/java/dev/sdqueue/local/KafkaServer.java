package dev.sdqueue.local;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;

/** The single-node KRaft broker (combined broker + controller) of a local stack, run as a child JVM. */
final class KafkaServer {
    static final String ROLE = "kafka";
    private static final List<String> JVM_ARGS = List.of("-Xms128m", "-Xmx512m", "-XX:+UseG1GC",
            "-Djava.awt.headless=true");

    private final LocalStackConfig config;
    private final ProjectLayout layout;
    private final Path dataDir;
    private final Path propertiesFile;

    KafkaServer(LocalStackConfig config, ProjectLayout layout) {
        this.config = config;
        this.layout = layout;
        this.dataDir = config.workDir().resolve("kafka/data");
        this.propertiesFile = config.workDir().resolve("kafka/server.properties");
    }

    Path logFile() {
        return config.logDir().resolve("kafka.log");
    }

    Path consoleFile() {
        return config.logDir().resolve("kafka.out");
    }

    /** Writes server.properties, formats the log dir if needed and starts the broker (does not wait). */
    ChildProcess launch(boolean detached, Consumer<String> progress) {
        String classpath = layout.kafkaClasspath();
        writeServerProperties();
        formatIfNeeded(classpath, progress);
        progress.accept("starting Kafka on " + config.bootstrapServers() + " (controller " + Ports.HOST + ":"
                + config.controllerPort() + ", log " + logFile() + ")");
        return ChildProcess.launch(ROLE, config.workDir(), classpath, jvmArgs(), List.of("kafka.Kafka",
                propertiesFile.toString()), consoleFile(), detached);
    }

    private List<String> jvmArgs() {
        List<String> args = new ArrayList<>(JVM_ARGS);
        args.add("-Djava.io.tmpdir=" + config.workDir().resolve("tmp"));
        args.add("-Dlog4j2.configurationFile=" + layout.kafkaLogConfig());
        args.add("-Dkafka.logs.dir=" + config.logDir());
        return args;
    }

    private void writeServerProperties() {
        String controller = Ports.HOST + ":" + config.controllerPort();
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.bootstrap.servers", controller);
        p.setProperty("listeners", "PLAINTEXT://" + config.bootstrapServers() + ",CONTROLLER://" + controller);
        p.setProperty("advertised.listeners", "PLAINTEXT://" + config.bootstrapServers());
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.setProperty("log.dirs", dataDir.toString());
        // Topics are created explicitly by LocalStack: auto-create would hide a misspelt topic name.
        p.setProperty("auto.create.topics.enable", "false");
        p.setProperty("num.partitions", Integer.toString(config.partitions()));
        // One node: every internal topic must accept replication factor 1 / min ISR 1, or its creation
        // fails and consumer groups, transactions or share groups hang.
        p.setProperty("default.replication.factor", "1");
        p.setProperty("min.insync.replicas", "1");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        // Fewer internal partitions: creating 50 of each on first use costs seconds on a 2-core machine.
        p.setProperty("offsets.topic.num.partitions", "8");
        p.setProperty("transaction.state.log.num.partitions", "4");
        p.setProperty("share.coordinator.state.topic.num.partitions", "4");
        // A lone consumer (tests, one worker) joins its group at once instead of after 3 s.
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        try {
            Files.createDirectories(propertiesFile.getParent());
            try (Writer out = Files.newBufferedWriter(propertiesFile, StandardCharsets.UTF_8)) {
                p.store(out, "written by dev.sdqueue.local.LocalStack on every start");
            }
        } catch (IOException e) {
            throw new LocalStackException("cannot write " + propertiesFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Formats the log dir once. The stored KRaft voter set names the controller endpoint, so data formatted
     * for another controller port is wiped and formatted again.
     */
    private void formatIfNeeded(String classpath, Consumer<String> progress) {
        Path marker = config.workDir().resolve("kafka/formatted-for-controller-port");
        String expected = Integer.toString(config.controllerPort());
        try {
            if (Files.isRegularFile(dataDir.resolve("meta.properties")) && Files.isRegularFile(marker)
                    && Files.readString(marker).strip().equals(expected)) {
                return;
            }
            if (Files.exists(dataDir)) {
                progress.accept("Kafka data in " + dataDir + " was formatted for another controller port: wiping it");
                deleteRecursively(dataDir);
            }
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new LocalStackException("cannot prepare " + dataDir + ": " + e.getMessage(), e);
        }
        progress.accept("formatting Kafka storage in " + dataDir);
        List<String> command = new ArrayList<>();
        command.add(ChildProcess.javaExecutable().toString());
        command.addAll(jvmArgs());
        command.addAll(List.of("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c",
                propertiesFile.toString(), "--standalone"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(consoleFile().toFile()));
        builder.environment().put("CLASSPATH", classpath);
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        try {
            Process format = builder.start();
            if (!format.waitFor(120, TimeUnit.SECONDS)) {
                format.destroyForcibly().waitFor();
                throw new LocalStackException("Kafka storage format timed out; see " + consoleFile());
            }
            if (format.exitValue() != 0) {
                throw new LocalStackException("Kafka storage format failed (exit " + format.exitValue() + "):\n"
                        + ChildProcess.tail(consoleFile(), 20));
            }
            Files.writeString(marker, expected + "\n");
        } catch (IOException e) {
            throw new LocalStackException("cannot run the Kafka storage format: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted while formatting Kafka storage", e);
        }
    }

    static Admin admin(String bootstrapServers) {
        Map<String, Object> props = new HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "sdq-local-stack");
        return Admin.create(props);
    }

    /** Whether a broker answers a cluster description on the port within a few seconds. */
    static boolean answers(String bootstrapServers) {
        if (!Ports.isListening(Integer.parseInt(bootstrapServers.substring(bootstrapServers.lastIndexOf(':') + 1)))) {
            return false;
        }
        try (Admin admin = admin(bootstrapServers)) {
            return !admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
            return false;
        } finally {
            Thread.interrupted(); // an interrupt during close must not leak into the caller's next wait
        }
    }

    /**
     * Creates the contract topics that are missing and adds partitions where an existing topic has fewer than
     * configured; never deletes or shrinks (safe to run against a reused stack).
     */
    static void ensureTopics(Admin admin, int partitions) throws InterruptedException, ExecutionException {
        Map<String, TopicDescription> existing = new HashMap<>();
        var names = admin.listTopics().names().get();
        List<String> present = ContractTopics.all().stream().filter(names::contains).toList();
        if (!present.isEmpty()) {
            existing.putAll(admin.describeTopics(present).allTopicNames().get());
        }
        List<NewTopic> missing = new ArrayList<>();
        Map<String, NewPartitions> grow = new HashMap<>();
        for (String topic : ContractTopics.all()) {
            int wanted = ContractTopics.partitioned().contains(topic) ? partitions : 1;
            TopicDescription description = existing.get(topic);
            if (description == null) {
                missing.add(new NewTopic(topic, wanted, (short) 1));
            } else if (description.partitions().size() < wanted) {
                grow.put(topic, NewPartitions.increaseTo(wanted));
            }
        }
        if (!missing.isEmpty()) {
            for (var result : admin.createTopics(missing).values().values()) {
                try {
                    result.get();
                } catch (ExecutionException e) {
                    // Another JVM may have created it concurrently: fine, it has the same settings.
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                        throw e;
                    }
                }
            }
        }
        if (!grow.isEmpty()) {
            admin.createPartitions(grow).all().get();
            awaitPartitions(admin, grow);
        }
    }

    /**
     * The controller acknowledges new partitions before every broker's metadata cache shows them: wait (up to 10 s)
     * until a describe sees them, so callers (and a client started right after) find the grown topics.
     */
    private static void awaitPartitions(Admin admin, Map<String, NewPartitions> grown)
            throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Map<String, TopicDescription> now = admin.describeTopics(grown.keySet()).allTopicNames().get();
            boolean visible = grown.entrySet().stream().allMatch(e ->
                    now.get(e.getKey()).partitions().size() >= e.getValue().totalCount());
            if (visible || System.nanoTime() > deadline) {
                return;
            }
            Thread.sleep(100);
        }
    }

    /** Creates those of {@code names} that do not exist yet, with {@code partitions} partitions each. */
    static void createMissingTopics(Admin admin, List<String> names, int partitions)
            throws InterruptedException, ExecutionException {
        var existing = admin.listTopics().names().get();
        List<NewTopic> missing = names.stream().distinct().filter(name -> !existing.contains(name))
                .map(name -> new NewTopic(name, partitions, (short) 1)).toList();
        for (var result : admin.createTopics(missing).values().values()) {
            try {
                result.get();
            } catch (ExecutionException e) {
                // Just created by an earlier call whose metadata has not reached the listing yet: fine.
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.TopicExistsException)) {
                    throw e;
                }
            }
        }
        awaitDescribable(admin, names);
    }

    /** Creation returns before the topics' metadata is served: callers may use them at once after this. */
    private static void awaitDescribable(Admin admin, List<String> names) throws InterruptedException,
            ExecutionException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                admin.describeTopics(names).allTopicNames().get();
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)
                        || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    static Duration startTimeout() {
        return Duration.ofSeconds(Long.getLong("sdq.stack.start-timeout-seconds", 120));
    }
}
