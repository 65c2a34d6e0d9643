package dev.sdqueue.loadtests.ingest;

import dev.sdqueue.loadtests.BenchEnvironment;
import dev.sdqueue.loadtests.BenchSystem;
import dev.sdqueue.loadtests.DurationConverter;
import dev.sdqueue.loadtests.load.RequestShape;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./sdq bench ingest}: the dispatcher's accepted submissions/s against Kafka's own producer benchmark with
 * the same record size, acks=all and the same broker, in one run on a private system; plus submit latency at fixed
 * open-model rates. See {@link IngestRun} for the method.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Dispatcher submissions/s vs Kafka's ProducerPerformance (same record size, acks=all, same "
                + "broker), and submit latency at fixed rates. Private system (free ports).",
                "Last line: ingest: dispatcher=N/s raw_producer=N/s ratio=R [dispatcher_batch=N/s batch_ratio=R "
                        + "batch_size=N] record_bytes=N errors=N"})
public final class IngestCommand implements Callable<Integer> {
    @Option(names = "--warmup", converter = DurationConverter.class, defaultValue = "10s",
            description = "dispatcher warm-up (8 in flight) before anything is measured; default ${DEFAULT-VALUE}")
    Duration warmup;
    @Option(names = "--records", defaultValue = "500000", description = "ProducerPerformance records; default "
            + "${DEFAULT-VALUE}")
    long records;
    @Option(names = "--warmup-records", defaultValue = "-1", description = "ProducerPerformance --warmup-records "
            + "(default: a tenth of --records)")
    long warmupRecords;
    @Option(names = "--levels", split = ",", defaultValue = "1,4,16,64,128,256,512",
            description = "capacity sweep: submissions in flight per level (closed model); default ${DEFAULT-VALUE}")
    List<Integer> levels;
    @Option(names = "--level-duration", converter = DurationConverter.class, defaultValue = "8s")
    Duration levelDuration;
    @Option(names = "--rates", split = ",", defaultValue = "100,500,1000",
            description = "fixed open-model rates (submissions/s); default ${DEFAULT-VALUE}")
    List<Integer> rates;
    @Option(names = "--rate-duration", converter = DurationConverter.class, defaultValue = "15s")
    Duration rateDuration;
    @Option(names = "--batch", paramLabel = "N", defaultValue = "10", description = "after the single-request "
            + "sweep, the same sweep with POST /v1/generations/batch bodies of N jobs, reported in jobs/s; 0 skips "
            + "it; default ${DEFAULT-VALUE}")
    int batch;
    @Option(names = "--smoke", description = "seconds-long run for CI: --warmup 2s --records 20000 --levels 1,8 "
            + "--level-duration 2s --rate-duration 2s")
    boolean smoke;
    @Option(names = "--size", paramLabel = "WxH", defaultValue = "512x512") String size;
    @Option(names = "--steps", defaultValue = "20") int steps;
    @Option(names = "--profile", description = "run the dispatcher under Java Flight Recorder and print where its CPU "
            + "went during the run (hot methods, packages)")
    boolean profile;
    @Option(names = "--dispatcher-property", paramLabel = "KEY=VALUE", description = "extra -D for the dispatcher "
            + "(to compare settings, e.g. mp.messaging.outgoing.generation-requests.linger.ms=0)")
    Map<String, String> dispatcherProperties = new LinkedHashMap<>();
    @Option(names = "--dispatcher-jar", paramLabel = "JAR", description = "another dispatcher build to measure "
            + "(default: this repository's packaged dispatcher)")
    Path dispatcherJar;
    @Option(names = "--out", paramLabel = "DIR", description = "report base folder (default .sdq/bench)") Path out;
    @Option(names = "--home", paramLabel = "DIR", description = "repository root (default -Dsdq.home)") Path home;

    private PrintStream console = System.out;

    public IngestCommand withConsole(PrintStream stream) {
        this.console = stream;
        return this;
    }

    @Override
    public Integer call() throws Exception {
        if (smoke) {
            warmup = Duration.ofSeconds(2);
            records = 20_000;
            levels = List.of(1, 8);
            levelDuration = Duration.ofSeconds(2);
            rateDuration = Duration.ofSeconds(2);
        }
        if (batch < 0) {
            console.println("--batch must be 0 (skip) or more, was " + batch);
            return 2;
        }
        String[] wh = size.split("x");
        RequestShape shape = new RequestShape(RequestShape.standard().prompt(), Integer.parseInt(wh[0]),
                Integer.parseInt(wh[1]), steps, null, null);
        IngestRun.Settings settings = new IngestRun.Settings(warmup, records,
                warmupRecords >= 0 ? warmupRecords : records / 10, levels, levelDuration, rates, rateDuration, shape,
                profile, dispatcherProperties, dispatcherJar == null ? null : dispatcherJar.toAbsolutePath(), batch);
        Path root = BenchEnvironment.home(home);
        return new IngestRun(root, BenchEnvironment.reportBase(root, out), settings, console).execute();
    }

    static BenchSystem.Options systemOptions(Path root, Path dir, IngestRun.Settings settings) {
        BenchSystem.Options options = BenchSystem.Options.in(root, dir).withWorkers(0);
        boolean profile = settings.profile();
        Map<String, String> properties = settings.dispatcherProperties();
        if (settings.dispatcherJar() != null) {
            options = options.withDispatcherJar(settings.dispatcherJar());
        }
        for (Map.Entry<String, String> property : properties.entrySet()) {
            options = options.withDispatcherProperty(property.getKey(), property.getValue());
        }
        if (profile) {
            options = options.withDispatcherJvmOptions(List.of("-Xmx512m",
                    "-XX:StartFlightRecording=filename=" + dir.resolve("dispatcher.jfr") + ",settings=profile"));
        }
        return options;
    }
}
