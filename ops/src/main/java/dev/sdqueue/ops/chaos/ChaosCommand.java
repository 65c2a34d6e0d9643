package dev.sdqueue.ops.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./sdq chaos}: the fault-injection suite. Starts a private system (Kafka, S3Proxy, dispatcher, several
 * workers, all real processes on free ports), submits jobs while it kills workers mid-job, restarts the broker,
 * takes S3 away and injects poison records, then checks every accepted job ended exactly once.
 */
@Command(name = "chaos", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fault-injection run against a private system of real processes (never a running ./sdq up "
                + "stack). The last line of the output is", "  chaos: submitted=N succeeded=N failed=N lost=N "
                + "duplicate_terminal=N dlq=N max_latency_ms=N"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every accepted job has exactly one terminal event",
                "1:a job was lost (no terminal event) or has more than one terminal event",
                "2:the system could not be started or the options are wrong",
                "3:nothing lost or duplicated, but the faults asked for could not all be injected"})
public final class ChaosCommand implements Callable<Integer> {
    @Option(names = "--jobs", paramLabel = "N", description = "jobs to submit over HTTP (default ${DEFAULT-VALUE})")
    int jobs = 100;

    @Option(names = "--kills", paramLabel = "K", description = "kill -9 a worker that is mid-job K times, each "
            + "replaced by a new worker (default ${DEFAULT-VALUE})")
    int kills = 1;

    @Option(names = "--broker-restart", description = "restart the Kafka broker once (SIGTERM, same ports and data)")
    boolean brokerRestart;

    @Option(names = "--broker-kill", description = "with --broker-restart: SIGKILL the broker instead of SIGTERM")
    boolean brokerKill;

    @Option(names = "--s3-outage", paramLabel = "SECONDS", description = "stop S3Proxy (SIGKILL) for this long "
            + "(default ${DEFAULT-VALUE}: none)")
    int s3OutageSeconds;

    @Option(names = "--poison", paramLabel = "P", description = "poison records produced onto the request topic: "
            + "not JSON, not UTF-8, wrong shape, unknown version, 3 MiB (default ${DEFAULT-VALUE})")
    int poison = 5;

    @Option(names = "--workers", paramLabel = "W", description = "worker processes (default ${DEFAULT-VALUE})")
    int workers = 3;

    @Option(names = "--rate", paramLabel = "JOBS_PER_S", description = "submission rate; 0 = automatic: the faults "
            + "fit in the submission window, at most 10/s (default ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--settle-timeout", paramLabel = "SECONDS", description = "how long to wait after the last "
            + "submission for every job to end (default ${DEFAULT-VALUE})")
    int settleTimeoutSeconds = 900;

    @Option(names = "--ready-timeout", paramLabel = "SECONDS", description = "startup limit of each process "
            + "(default ${DEFAULT-VALUE})")
    int readyTimeoutSeconds = 300;

    @Option(names = "--session-timeout-ms", paramLabel = "MS", description = "the workers' Kafka session timeout: "
            + "how soon a killed worker's partitions move (default ${DEFAULT-VALUE}; Kafka's own is 45000)")
    int sessionTimeoutMs = 10_000;

    @Option(names = "--worker-heap", paramLabel = "SIZE", description = "-Xmx of each worker (default ${DEFAULT-VALUE})")
    String workerHeap = "512m";

    @Option(names = "--retry-topics-ms", split = ",", paramLabel = "MS", description = "retry delays for the "
            + "workers (creates sdq.generation.requests_retry_<ms> and sets the workers' sdq.retry.delays);"
            + " default: the worker's own configuration")
    List<Long> retryTopicsMs = List.of();

    @Option(names = "--worker-property", paramLabel = "KEY=VALUE", description = "extra -D for every worker "
            + "(repeatable)")
    Map<String, String> workerProperties = new LinkedHashMap<>();

    @Option(names = "--work-dir", paramLabel = "DIR", description = "where the stack and the processes' logs go "
            + "(default: a new sdq-chaos-<id> folder in java.io.tmpdir); deleted after a passed run unless --keep")
    Path workDir;

    @Option(names = "--keep", description = "keep the work dir (logs, data) after a passed run too")
    boolean keep;

    @Option(names = "--rebalance-storm", paramLabel = "SECONDS", description = "workers join and leave (SIGTERM) "
            + "every --storm-every seconds for this long, while jobs run (default ${DEFAULT-VALUE}: none)")
    int stormSeconds;

    @Option(names = "--storm-every", paramLabel = "SECONDS", description = "seconds between two joins/leaves of the "
            + "rebalance storm (default ${DEFAULT-VALUE})")
    int stormEverySeconds = 4;

    @Option(names = "--home", paramLabel = "DIR", description = "the repository root (default: -Dsdq.home, else "
            + "the working directory)")
    Path home;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ChaosCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        ChaosPlan plan;
        try {
            plan = plan();
        } catch (IllegalArgumentException e) {
            System.err.println("chaos: " + e.getMessage());
            return 2;
        }
        try {
            return new ChaosRun(plan, System.out).execute().exitCode();
        } catch (IllegalStateException | dev.sdqueue.local.LocalStackException e) {
            System.out.flush();
            System.err.println("chaos: " + e.getMessage());
            return 2;
        }
    }

    ChaosPlan plan() {
        Path root = home != null ? home : Path.of(System.getProperty("sdq.home", "")).toAbsolutePath();
        if (!Files.isRegularFile(root.resolve("pom.xml")) || !Files.isDirectory(root.resolve("worker"))) {
            throw new IllegalArgumentException(root + " is not the sdqueue repository root (use --home or -Dsdq.home)");
        }
        if (brokerKill && !brokerRestart) {
            throw new IllegalArgumentException("--broker-kill needs --broker-restart");
        }
        return new ChaosPlan(jobs, kills, brokerRestart, brokerKill, Duration.ofSeconds(s3OutageSeconds), poison,
                workers, rate, Duration.ofSeconds(settleTimeoutSeconds), Duration.ofSeconds(readyTimeoutSeconds),
                sessionTimeoutMs, workerHeap, workerProperties, retryTopicsMs, root.normalize(), workDir, keep,
                Duration.ofSeconds(stormSeconds), Duration.ofSeconds(stormEverySeconds));
    }
}
