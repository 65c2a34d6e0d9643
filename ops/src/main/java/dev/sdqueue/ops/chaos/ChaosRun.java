package dev.sdqueue.ops.chaos;

import dev.sdqueue.local.ContractTopics;
import dev.sdqueue.ops.chaos.FaultInjector.Kill;
import dev.sdqueue.schema.Topics;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * One chaos run: start the system, submit the jobs at a steady rate while poison records and the faults go in,
 * wait until it settles, print the summary. Everything started is stopped by PID in the {@code finally} block,
 * or by the shutdown hook on Ctrl-C.
 */
final class ChaosRun {
    /** What a run produced; {@code exitCode} 0 = passed, 1 = lost or duplicated, 3 = faults not injected as asked. */
    record Result(ChaosReport report, List<Kill> kills, int killsConfirmedMidJob, int poisonAcked,
                  int poisonOnDlq, int exitCode, List<Long> pids) {
        Result withPids(List<Long> started) {
            return new Result(report, kills, killsConfirmedMidJob, poisonAcked, poisonOnDlq, exitCode,
                    List.copyOf(started));
        }
    }

    private static final Duration LAG_GRACE = Duration.ofSeconds(60);
    /** The group of SmallRye's delayed-retry consumer: {@code kafka-delayed-retry-topic-<group.id>}. */
    private static final String RETRY_GROUP = "kafka-delayed-retry-topic-" + Topics.WORKER_GROUP;

    private final ChaosPlan plan;
    private final PrintStream out;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);

    ChaosRun(ChaosPlan plan, PrintStream out) {
        this.plan = plan;
        this.out = out;
    }

    Result execute() throws Exception {
        Path workDir = plan.workDir() != null ? plan.workDir()
                : Path.of(System.getProperty("java.io.tmpdir"), "sdq-chaos-" + runId);
        Files.createDirectories(workDir);
        out.println("chaos run " + runId + ": " + plan.describe());
        out.println("work dir (logs of every process): " + workDir);
        List<String> retryTopics = plan.retryTopicsMs().stream().map(Topics::retry).toList();
        ChaosSystem.WorkerSettings settings = new ChaosSystem.WorkerSettings(plan.sessionTimeoutMs(),
                plan.workerHeap(), workerProperties(retryTopics));
        ChaosSystem[] holder = new ChaosSystem[1];
        Thread hook = new Thread(() -> {
            if (holder[0] != null) {
                holder[0].close();
            }
        }, "sdq-chaos-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        boolean passed = false;
        Result result;
        try {
            long begin = System.currentTimeMillis();
            holder[0] = ChaosSystem.start(workDir, plan.root(), settings, plan.workers(),
                    retryTopics, plan.readyTimeout(), line -> out.println("  " + line));
            out.printf("system ready in %.1f s: Kafka %s, S3 %s, dispatcher %s, %d workers%n",
                    (System.currentTimeMillis() - begin) / 1000.0, holder[0].stack().bootstrapServers(),
                    holder[0].stack().s3Endpoint(), holder[0].dispatcher().uri(""), plan.workers());
            result = run(holder[0]).withPids(holder[0].pids());
            passed = result.exitCode() == 0;
        } finally {
            out.println("stopping everything this run started (by PID)");
            try {
                if (holder[0] != null) {
                    holder[0].close();
                }
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running
                }
                if (passed && !plan.keep()) {
                    deleteRecursively(workDir);
                } else {
                    out.println("logs kept in " + workDir);
                }
            }
        }
        // Last, after the cleanup's messages: scripts read the final line.
        out.println(result.report().lastLine());
        out.flush();
        return result;
    }

    private Map<String, String> workerProperties(List<String> retryTopics) {
        Map<String, String> properties = new java.util.LinkedHashMap<>();
        if (!retryTopics.isEmpty()) {
            // The worker's one retry setting: its channel and decision table both follow from it.
            properties.put("sdq.retry.delays", plan.retryTopicsMs().stream().map(ms -> ms + "ms")
                    .collect(java.util.stream.Collectors.joining(",")));
        }
        properties.putAll(plan.workerProperties());
        return properties;
    }

    private Result run(ChaosSystem system) throws Exception {
        String bootstrap = system.stack().bootstrapServers();
        try (EventLog events = new EventLog(bootstrap); KafkaProbe probe = new KafkaProbe(bootstrap);
             KafkaProducer<String, byte[]> poisonProducer = poisonProducer(bootstrap)) {
            long origin = System.currentTimeMillis();
            Timeline timeline = new Timeline(origin, line -> out.println("  " + line));
            JobSubmitter submitter = new JobSubmitter(system.dispatcher().uri(""), runId);
            FaultInjector faults = new FaultInjector(system, events, probe, timeline, plan.readyTimeout());
            AtomicInteger poisonAcked = new AtomicInteger();
            Progress progress = new Progress(plan, submitter, events, probe, system, origin, out);
            progress.start();

            Thread submitting = thread("sdq-chaos-submit", () -> submitAll(submitter, poisonProducer, poisonAcked,
                    timeline));
            Thread injecting = thread("sdq-chaos-faults", () -> injectFaults(faults, timeline));
            RebalanceStorm storm = new RebalanceStorm(system, timeline, plan.stormEvery(), plan.workers());
            Thread storming = thread("sdq-chaos-storm", () -> storm(storm, timeline));
            submitting.join();
            injecting.join();
            storming.join();
            poisonProducer.flush();
            timeline.add("all " + plan.jobs() + " jobs submitted (" + submitter.acceptedCount() + " accepted), "
                    + poisonAcked.get() + " poison records on the request topic; waiting for the system to settle");

            boolean settled = awaitTerminal(submitter, events, plan.settleTimeout());
            timeline.add(settled ? "every accepted job has a terminal event"
                    : "settle timeout: " + countWithoutTerminal(submitter, events) + " job(s) still without one");
            String lag = awaitNoLag(probe, LAG_GRACE);
            timeline.add(lag.isEmpty() ? "the workers committed every request and retry record (lag 0)"
                    : "not every request or retry record is committed after " + LAG_GRACE.toSeconds() + " s: " + lag);
            faults.awaitReplacements(Duration.ofSeconds(5));
            storm.awaitStops(Duration.ofSeconds(90));
            events.awaitPositions(probe.endOffsets(Topics.EVENTS), Duration.ofSeconds(30));
            progress.stop();

            List<KafkaProbe.DeadLetter> deadLetters = probe.deadLetters();
            ChaosReport report = ChaosReport.compute(submitter.accepted(), events.terminals(), deadLetters.size());
            SummaryPrinter printer = new SummaryPrinter(plan, runId, timeline, out);
            int confirmed = printer.printKills(faults.kills(), events, submitter.acceptedById());
            int poisonOnDlq = printer.printPoison(poisonAcked.get(), deadLetters);
            printer.printTotals(report, submitter, events, deadLetters);
            int exitCode = report.passed() ? 0 : 1;
            if (exitCode == 0 && (faults.kills().size() < plan.kills() || poisonAcked.get() < plan.poison())) {
                out.println("the run did not inject what was asked: " + faults.kills().size() + "/" + plan.kills()
                        + " kills, " + poisonAcked.get() + "/" + plan.poison() + " poison records");
                exitCode = 3;
            }
            return new Result(report, faults.kills(), confirmed, poisonAcked.get(), poisonOnDlq, exitCode, List.of());
        }
    }

    /** Job i goes out at origin + i / rate (a pool of 4 keeps the pace while a POST waits out a 503). */
    private void submitAll(JobSubmitter submitter, KafkaProducer<String, byte[]> producer, AtomicInteger acked,
            Timeline timeline) {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        long start = System.nanoTime();
        double intervalNanos = 1e9 / plan.effectiveRate();
        int nextPoison = 0;
        try {
            for (int i = 0; i < plan.jobs(); i++) {
                long due = start + (long) (i * intervalNanos);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                int index = i;
                pool.execute(() -> submitter.submit(index));
                while (nextPoison < plan.poison() && plan.poisonAfterJob(nextPoison) <= i) {
                    injectPoison(nextPoison++, producer, acked, timeline);
                }
            }
            while (nextPoison < plan.poison()) {
                injectPoison(nextPoison++, producer, acked, timeline);
            }
            pool.shutdown();
            if (!pool.awaitTermination(10, TimeUnit.MINUTES)) {
                timeline.add("submissions still running after 10 min");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            pool.shutdownNow();
        }
    }

    private void injectPoison(int p, KafkaProducer<String, byte[]> producer, AtomicInteger acked, Timeline timeline) {
        var record = PoisonRecords.record(p, runId);
        String kind = PoisonRecords.kindOf(p).label();
        producer.send(record, (metadata, error) -> {
            if (error == null) {
                acked.incrementAndGet();
                timeline.add("poison #" + p + " (" + kind + ", " + record.value().length + " bytes, key "
                        + record.key() + ") at " + metadata.topic() + "-" + metadata.partition() + "@"
                        + metadata.offset());
            } else {
                timeline.add("poison #" + p + " (" + kind + ") NOT produced: " + error);
            }
        });
    }

    /** The faults one after the other, from 10 % of the submission window on, evenly spaced within it. */
    private void injectFaults(FaultInjector faults, Timeline timeline) {
        List<String> order = plan.faultOrder();
        if (order.isEmpty()) {
            return;
        }
        long window = plan.submissionWindow().toMillis();
        long busy = plan.s3Outage().toMillis() + (plan.brokerRestart() ? 15_000 : 0) + 2_000L * plan.kills();
        long gap = Math.max(1_000, (long) (window * 0.75 - busy) / order.size());
        try {
            Thread.sleep((long) (window * 0.1));
            for (String fault : order) {
                switch (fault) {
                    case "s3" -> faults.s3Outage(plan.s3Outage());
                    case "broker" -> faults.restartBroker(plan.brokerKill());
                    default -> faults.killWorkerMidJob(Duration.ofSeconds(90));
                }
                Thread.sleep(gap);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            timeline.add("fault injection failed: " + e);
        }
    }

    /** The storm from 5 % of the submission window on (the faults go on meanwhile). */
    private void storm(RebalanceStorm storm, Timeline timeline) {
        if (plan.storm().isZero()) {
            return;
        }
        try {
            Thread.sleep((long) (plan.submissionWindow().toMillis() * 0.05));
            storm.run(plan.storm());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            timeline.add("rebalance storm failed: " + e);
        }
    }

    private static boolean awaitTerminal(JobSubmitter submitter, EventLog events, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (countWithoutTerminal(submitter, events) > 0) {
            events.checkHealthy();
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(500);
        }
        return true;
    }

    private static long countWithoutTerminal(JobSubmitter submitter, EventLog events) {
        return submitter.accepted().stream().filter(s -> !events.hasTerminal(s.jobId())).count();
    }

    /**
     * Waits until the workers have committed every record of the request topic (group {@code sdq-workers}) and of
     * the retry topics (SmallRye's retry consumer, group {@code kafka-delayed-retry-topic-sdq-workers}): then no
     * poison record or retry is still on its way to the DLQ. Returns what still lags ("" = nothing).
     */
    private static String awaitNoLag(KafkaProbe probe, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String lag = "unknown";
        while (System.nanoTime() < deadline) {
            try {
                List<String> retryTopics = probe.topics().stream()
                        .filter(t -> t.startsWith(Topics.REQUESTS + "_retry_")).sorted().toList();
                Map<TopicPartition, Long> requests = probe.lag(Topics.WORKER_GROUP, List.of(ContractTopics.REQUESTS));
                Map<TopicPartition, Long> retries = probe.lag(RETRY_GROUP, retryTopics);
                if (requests.isEmpty() && retries.isEmpty()) {
                    return "";
                }
                lag = Topics.WORKER_GROUP + " " + requests + ", " + RETRY_GROUP + " " + retries;
            } catch (Exception e) {
                lag = "unknown (" + e + ")";
            }
            Thread.sleep(1_000);
        }
        return lag;
    }

    private static KafkaProducer<String, byte[]> poisonProducer(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "sdq-chaos-poison");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        // The huge record (3 MiB of JSON) passes the broker's 1 MiB batch limit compressed.
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(8 * 1024 * 1024));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "180000");
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static Thread thread(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
