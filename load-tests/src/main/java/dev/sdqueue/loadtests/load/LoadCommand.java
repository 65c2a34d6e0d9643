package dev.sdqueue.loadtests.load;

import dev.sdqueue.loadtests.BenchEnvironment;
import dev.sdqueue.loadtests.BenchSystem;
import dev.sdqueue.loadtests.DurationConverter;
import dev.sdqueue.loadtests.report.BenchReport;
import dev.sdqueue.loadtests.report.HtmlReport;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./sdq bench load}: an open-model load (constant rate, or a ramp) against any deployment's dispatcher, with
 * end-to-end latency from {@code sdq.generation.events}. Or against a private system ({@code --private}).
 */
@Command(name = "load", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Open-model load against a dispatcher; end-to-end latency from sdq.generation.events.",
                "Last line: load: submitted=N accepted=N http_errors=N completed=N failed=N lost=N ..."})
public final class LoadCommand implements Callable<Integer> {
    @Option(names = "--rate", paramLabel = "PER_S", description = "arrivals per second (the end rate of a ramp); "
            + "default ${DEFAULT-VALUE}", defaultValue = "10")
    double rate;
    @Option(names = "--duration", paramLabel = "TIME", converter = DurationConverter.class, defaultValue = "30s",
            description = "how long to inject (30s, 2m, ...); default ${DEFAULT-VALUE}")
    Duration duration;
    @Option(names = "--ramp-from", paramLabel = "PER_S", description = "ramp the rate linearly from this to --rate")
    Double rampFrom;
    @Option(names = "--dispatcher", paramLabel = "URL", description = "the dispatcher's base URL (default: "
            + "$SDQ_BENCH_DISPATCHER, else http://127.0.0.1:8080)")
    URI dispatcher;
    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Kafka of that deployment, for end-to-end "
            + "latency (default: $KAFKA_BOOTSTRAP_SERVERS, else 127.0.0.1:9092)")
    String bootstrap;
    @Option(names = "--no-events", description = "HTTP side only: do not read sdq.generation.events")
    boolean noEvents;
    @Option(names = "--prompt", defaultValue = "a lighthouse at dusk, oil painting") String prompt;
    @Option(names = "--size", paramLabel = "WxH", defaultValue = "512x512", description = "default ${DEFAULT-VALUE}")
    String size;
    @Option(names = "--steps", defaultValue = "20") int steps;
    @Option(names = "--scheduler", description = "default: the model's") String scheduler;
    @Option(names = "--guidance", description = "default: the deployment's") Double guidance;
    @Option(names = "--drain-timeout", converter = DurationConverter.class, defaultValue = "120s",
            description = "after the load, wait this long for terminal events; later = lost (default ${DEFAULT-VALUE})")
    Duration drainTimeout;
    @Option(names = "--request-timeout", converter = DurationConverter.class, defaultValue = "30s")
    Duration requestTimeout;
    @Option(names = "--new-connections", description = "a new HTTP connection per submission (default: one shared"
            + " keep-alive pool)")
    boolean newConnections;
    @Option(names = "--private", description = "start a private system (stack + dispatcher + --workers) and load it")
    boolean privateSystem;
    @Option(names = "--workers", defaultValue = "1", description = "workers of the private system") int workers;
    @Option(names = "--model", paramLabel = "DIR", description = "model of the private system's workers "
            + "(default models/target/tiny-random)")
    Path model;
    @Option(names = "--worker-property", paramLabel = "KEY=VALUE", description = "extra -D for private workers")
    Map<String, String> workerProperties = new LinkedHashMap<>();
    @Option(names = "--dispatcher-property", paramLabel = "KEY=VALUE", description = "extra -D for the private "
            + "dispatcher")
    Map<String, String> dispatcherProperties = new LinkedHashMap<>();
    @Option(names = "--name", defaultValue = "load", description = "report folder prefix") String name;
    @Option(names = "--out", paramLabel = "DIR", description = "report base folder (default .sdq/bench)") Path out;
    @Option(names = "--home", paramLabel = "DIR", description = "repository root (default -Dsdq.home)") Path home;

    private PrintStream console = System.out;

    /** For tests: where the output goes. */
    public LoadCommand withConsole(PrintStream stream) {
        this.console = stream;
        return this;
    }

    @Override
    public Integer call() throws Exception {
        Path root = BenchEnvironment.home(home);
        BenchReport report = BenchReport.create(BenchEnvironment.reportBase(root, out), name);
        RequestShape shape = shape();
        if (!privateSystem) {
            URI target = dispatcher != null ? dispatcher : URI.create(env("SDQ_BENCH_DISPATCHER",
                    "http://127.0.0.1:8080"));
            String kafka = noEvents ? null : bootstrap != null ? bootstrap : env("KAFKA_BOOTSTRAP_SERVERS",
                    "127.0.0.1:9092");
            return run(report, target, kafka, shape, "deployment at " + target);
        }
        BenchSystem.Options options = BenchSystem.Options.in(root, report.dir().resolve("system"))
                .withWorkers(workers).withWorkerProperties(workerProperties);
        for (Map.Entry<String, String> property : dispatcherProperties.entrySet()) {
            options = options.withDispatcherProperty(property.getKey(), property.getValue());
        }
        if (model != null) {
            options = options.withModelDir(model.toAbsolutePath());
        }
        try (BenchSystem system = BenchSystem.start(options, line -> console.println("  " + line))) {
            return run(report, system.dispatcherUri(), system.bootstrapServers(), shape,
                    "private system: " + workers + " worker(s), model " + options.modelDir());
        } finally {
            BenchEnvironment.deleteStackData(report.dir().resolve("system"));
        }
    }

    private int run(BenchReport report, URI target, String kafka, RequestShape shape, String where) throws Exception {
        LoadPhase phase = rampFrom == null ? LoadPhase.constantRate("submit", rate, duration)
                : LoadPhase.ramp("submit", rampFrom, rate, duration);
        LoadPlan plan = new LoadPlan(target, shape.body(), List.of(phase), !newConnections, requestTimeout);
        console.println("bench load: " + where + "; request " + shape + (kafka == null ? "; no event side"
                : "; events from " + kafka));
        LoadRun.Outcome outcome = LoadRun.execute(plan, kafka, drainTimeout, report.gatlingDir(), "sdq bench load",
                console);
        LoadResult result = outcome.result();
        LoadReportPage view = new LoadReportPage(result);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("bench", "load");
        summary.put("target", Map.of("dispatcher", target.toString(), "bootstrap", String.valueOf(kafka),
                "where", where));
        summary.put("request", shape.toString());
        summary.put("phase", phase.describe());
        summary.put("result", result.summary());
        report.writeJson(summary);
        HtmlReport page = new HtmlReport("sdq bench load — " + phase.describe());
        page.paragraph("Target: " + where + " (" + target + "), request " + shape + ". End-to-end latency = from "
                + "right before the POST until the job's terminal event was received from sdq.generation.events.");
        outcome.gatlingReport().ifPresent(html -> page.link("Gatling's report (HTTP side)",
                report.dir().relativize(html).toString()));
        view.addTo(page);
        report.writeHtml(page);
        report.writeMarkdown(view.markdown("load " + phase.describe()));
        view.textLines().forEach(console::println);
        console.println("reports: " + report.dir().resolve("index.html") + " (end to end)");
        outcome.gatlingReport().ifPresent(html -> console.println("         " + html + " (HTTP, Gatling)"));
        console.println("         " + report.dir().resolve("summary.json") + ", " + report.dir().resolve("plots.md"));
        console.println(String.format(Locale.ROOT, "load: submitted=%d accepted=%d http_errors=%d completed=%d "
                + "failed=%d lost=%d accepted_per_s=%.1f submit_p99_ms=%s e2e_p50_ms=%s e2e_p99_ms=%s",
                result.submitted(), result.accepted(), result.httpErrorCount(), result.completed(), result.failed(),
                result.lost(), result.acceptedPerSecond(), fmt(result.submitLatency().p99()),
                fmt(result.endToEnd().p50()), fmt(result.endToEnd().p99())));
        return outcome.gatlingExitCode() == 0 ? 0 : 1;
    }

    private RequestShape shape() {
        String[] parts = size.toLowerCase(Locale.ROOT).split("x");
        if (parts.length != 2) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--size must look like 512x512, was " + size);
        }
        return new RequestShape(prompt, Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), steps, scheduler,
                guidance);
    }

    static String fmt(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.1f", value);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
