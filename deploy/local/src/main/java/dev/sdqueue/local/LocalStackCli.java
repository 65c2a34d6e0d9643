package dev.sdqueue.local;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code up | down | status} of the detached local stack; {@code ./sdq} calls it. Exit codes: 0 ok,
 * 1 error (message on stderr), 3 {@code status}: not running.
 */
@Command(name = "local-stack", mixinStandardHelpOptions = true,
        description = "Kafka + S3Proxy for sdqueue as background JVMs.",
        subcommands = {LocalStackCli.Up.class, LocalStackCli.Down.class, LocalStackCli.Status.class})
public final class LocalStackCli {
    static final int NOT_RUNNING = 3;

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new LocalStackCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            System.err.println("error: " + e.getMessage());
            return 1;
        });
        System.exit(cli.execute(args));
    }

    /** Options shared by the subcommands; defaults follow the {@code SDQ_*} environment variables of ./sdq. */
    static final class StackOptions {
        @Option(names = "--work-dir", description = "Work dir (default: $SDQ_WORK_DIR or <repo>/.sdq).",
                defaultValue = "${env:SDQ_WORK_DIR}")
        Path workDir;

        @Option(names = "--kafka-port", defaultValue = "${env:SDQ_KAFKA_PORT:-9092}")
        int kafkaPort;

        @Option(names = "--controller-port", defaultValue = "${env:SDQ_KAFKA_CONTROLLER_PORT:-9093}")
        int controllerPort;

        @Option(names = "--s3-port", defaultValue = "${env:SDQ_S3_PORT:-9000}")
        int s3Port;

        @Option(names = "--access-key", defaultValue = "${env:SDQ_S3_ACCESS_KEY:-sdqueue}")
        String accessKey;

        @Option(names = "--secret-key", defaultValue = "${env:SDQ_S3_SECRET_KEY:-sdqueue-secret}")
        String secretKey;

        @Option(names = "--bucket", defaultValue = "${env:SDQ_S3_BUCKET:-sdq-images}")
        String bucket;

        @Option(names = "--partitions", description = "Partitions of the request/retry/event topics.",
                defaultValue = "${env:SDQ_PARTITIONS:-3}")
        int partitions;

        LocalStackConfig config() {
            LocalStackConfig defaults = LocalStackConfig.defaults();
            return (workDir == null ? defaults : defaults.withWorkDir(workDir))
                    .withPorts(kafkaPort, controllerPort, s3Port)
                    .withCredentials(accessKey, secretKey)
                    .withBucket(bucket)
                    .withPartitions(partitions);
        }
    }

    @Command(name = "up", description = "Start Kafka and S3Proxy in the background (no-op if already running).")
    static final class Up implements Callable<Integer> {
        @Mixin
        StackOptions options;

        @Override
        public Integer call() {
            LocalStackConfig config = options.config();
            Optional<StackState> running = RecordedStacks.liveState(config);
            if (running.isPresent()) {
                System.out.println("already running in " + config.workDir());
                print(config, running.get());
                return 0;
            }
            LocalStack.create(config, line -> System.out.println("  " + line)).startDetached();
            print(config, StackState.read(config.runDir()).orElseThrow());
            return 0;
        }
    }

    @Command(name = "down", description = "Stop the background stack by PID and check its ports are closed.")
    static final class Down implements Callable<Integer> {
        @Mixin
        StackOptions options;

        @Override
        public Integer call() {
            LocalStackConfig config = options.config();
            if (RecordedStacks.stopRecorded(config, line -> System.out.println("  " + line))) {
                System.out.println("local stack stopped");
            } else {
                System.out.println("no local stack recorded in " + config.runDir());
            }
            return 0;
        }
    }

    @Command(name = "status", description = "Show whether the background stack runs and answers (exit 3 if not).")
    static final class Status implements Callable<Integer> {
        @Mixin
        StackOptions options;

        @Override
        public Integer call() {
            return printStatus(options.config()) ? 0 : NOT_RUNNING;
        }
    }

    /** One line per server of the stack recorded in {@code config.workDir()}; true if all run and answer. */
    static boolean printStatus(LocalStackConfig config) {
        Optional<StackState> recorded = StackState.read(config.runDir());
        if (recorded.isEmpty()) {
            System.out.println("local stack: not running (nothing recorded in " + config.runDir() + ")");
            return false;
        }
        StackState state = recorded.get();
        boolean allGood = true;
        for (ChildProcess child : RecordedStacks.childrenOf(config, state)) {
            boolean kafka = child.role().equals(KafkaServer.ROLE);
            boolean alive = child.isAlive();
            boolean answers = kafka ? KafkaServer.answers(state.bootstrapServers())
                    : S3ProxyServer.answers(state.s3Endpoint());
            String where = kafka ? state.bootstrapServers() : state.s3Endpoint();
            printStatusLine(child.role(), child.pid(), where,
                    !alive ? "NOT RUNNING" : answers ? "up" : "running, NOT ANSWERING");
            allGood &= alive && answers;
        }
        return allGood;
    }

    /** A line of {@code status}: {@code <name> pid <pid> <where> <state>} in columns. */
    static void printStatusLine(String name, long pid, String where, String state) {
        System.out.printf("%-10s pid %-7d %-24s %s%n", name, pid, where, state);
    }

    static void print(LocalStackConfig config, StackState state) {
        System.out.printf("  Kafka     %-26s pid %d   log %s%n", state.bootstrapServers(), state.kafkaPid(),
                config.logDir().resolve("kafka.log"));
        System.out.printf("  S3Proxy   %-26s pid %d   log %s%n", state.s3Endpoint(), state.s3Pid(),
                config.logDir().resolve("s3proxy.log"));
        System.out.printf("            access key %s, secret key %s, region %s, bucket %s%n", state.accessKey(),
                state.secretKey(), state.region(), state.bucket());
    }
}
