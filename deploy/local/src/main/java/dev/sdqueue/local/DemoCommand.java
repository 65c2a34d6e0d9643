package dev.sdqueue.local;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./sdq demo "PROMPT" [options]}: starts what is not running ({@code ./sdq up}), submits the prompt, follows the
 * job, prints the presigned URL of every image and saves it as {@code out/<jobId>-<i>.png}. Exit 1 on any failure.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Generate an image end to end; PNGs land in ./out/<jobId>-<i>.png.")
final class DemoCommand implements Callable<Integer> {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Parameters(paramLabel = "PROMPT", arity = "0..*", description = "The prompt (quote it).")
    List<String> prompt;

    @Option(names = "--steps", paramLabel = "N")
    Integer steps;

    @Option(names = "--seed", paramLabel = "S")
    Long seed;

    @Option(names = "--size", paramLabel = "WxH")
    String size;

    @Option(names = "--scheduler", paramLabel = "NAME")
    String scheduler;

    @Option(names = "--negative", paramLabel = "TEXT")
    String negative;

    @Option(names = "--guidance", paramLabel = "G")
    Double guidance;

    @Option(names = "--images", paramLabel = "N")
    Integer images;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "${env:SDQ_DEMO_TIMEOUT:-900}",
            description = "How long the job may take (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = "--dispatcher-url", hidden = true,
            description = "Use this dispatcher (start nothing) instead of the one ./sdq up runs.")
    URI dispatcherUrl;

    @Option(names = "--out", hidden = true, description = "Folder of the PNGs (default <repo>/out).")
    Path out;

    @Mixin
    LauncherOptions options;

    @Override
    public Integer call() throws Exception {
        DemoRequest request = DemoRequest.of(prompt, negative, steps, seed, size, scheduler, guidance, images);
        Path home = dispatcherUrl != null ? LocalSystemCli.homeOrNull() : options.home();
        Console console = Console.system(home);
        URI base = dispatcherUrl;
        if (base == null) {
            if (!LocalSystemCli.Running.isUp(options)) {
                LocalSystemCli.Up.run(options, console);
                console.info("");
            }
            int port = RecordedApp.read(options.workDir(), LocalSystem.DISPATCHER).map(RecordedApp::port)
                    .orElse(options.dispatcherPort);
            base = URI.create("http://" + Ports.HOST + ":" + port);
        }
        Path dir = out != null ? out : (home != null ? home : Path.of("")).resolve("out");
        run(request, base, dir.toAbsolutePath().normalize(), Duration.ofSeconds(timeoutSeconds), console);
        return 0;
    }

    /** Submit, follow until succeeded or failed, download; throws {@link LocalStackException} on any failure. */
    static void run(DemoRequest request, URI base, Path outDir, Duration timeout, Console console) throws Exception {
        String body = JobView.MAPPER.writeValueAsString(request.toJson(JobView.MAPPER));
        URI submit = base.resolve("/v1/generations");
        console.step("POST " + submit + " " + body);
        HttpResponse<String> created;
        try {
            created = HTTP.send(HttpRequest.newBuilder(submit).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json, application/problem+json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new LocalStackException("the dispatcher at " + base + " does not answer (" + e + "): ./sdq status;"
                    + " log .sdq/logs/dispatcher.log", e);
        }
        if (created.statusCode() != 202) {
            console.errorDetail(JobView.problem(created.body()));
            throw new LocalStackException("request rejected with HTTP " + created.statusCode());
        }
        String id = JobView.id(created.body());
        console.detail("accepted: job " + id + " (" + created.headers().firstValue("Location").orElse("") + ")");

        long begin = System.nanoTime();
        JobView job = follow(base.resolve("/v1/generations/" + id), id, begin, timeout, console);
        long seconds = Duration.ofNanos(System.nanoTime() - begin).toSeconds();
        if (!job.succeeded()) {
            console.errorDetail(job.failure());
            throw new LocalStackException("job " + id + " failed after " + seconds + " s");
        }
        if (job.imageUrls().isEmpty()) {
            throw new LocalStackException("job " + id + " succeeded but lists no images");
        }
        Files.createDirectories(outDir);
        for (int i = 0; i < job.imageUrls().size(); i++) {
            String url = job.imageUrls().get(i);
            Path file = outDir.resolve(id + "-" + i + ".png");
            download(URI.create(url), file, i);
            console.detail("image " + i + ": " + url);
            console.detail("         saved to " + console.relative(file));
        }
        console.info(console.green("done") + " in " + Duration.ofNanos(System.nanoTime() - begin).toSeconds() + " s");
    }

    private static JobView follow(URI uri, String id, long begin, Duration timeout, Console console)
            throws InterruptedException {
        String last = "";
        while (true) {
            HttpResponse<String> answer;
            try {
                answer = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                        .header("Accept", "application/json").GET().build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new LocalStackException("GET " + uri + " failed: " + e, e);
            }
            if (answer.statusCode() != 200) {
                throw new LocalStackException("GET " + uri + " answered HTTP " + answer.statusCode());
            }
            JobView job = JobView.parse(answer.body());
            long seconds = Duration.ofNanos(System.nanoTime() - begin).toSeconds();
            String shown = job.shown();
            if (console.tty()) {
                console.live("    " + shown + "  " + seconds + " s");
            } else if (!shown.equals(last)) {
                console.detail(shown);
            }
            last = shown;
            if (job.terminal()) {
                console.clearLive();
                return job;
            }
            if (seconds >= timeout.toSeconds()) {
                throw new LocalStackException("job " + id + " still '" + job.status() + "' after " + timeout.toSeconds()
                        + " s (./sdq status; logs in .sdq/logs)");
            }
            Thread.sleep(500);
        }
    }

    private static void download(URI url, Path file, int index) throws InterruptedException {
        try {
            HttpResponse<InputStream> image = HTTP.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60))
                    .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = image.body()) {
                if (image.statusCode() != 200) {
                    throw new LocalStackException("cannot download image " + index + " from " + url + ": HTTP "
                            + image.statusCode());
                }
                Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new LocalStackException("cannot download image " + index + " from " + url + ": " + e, e);
        }
        byte[] head = new byte[PNG_SIGNATURE.length];
        try (InputStream in = Files.newInputStream(file)) {
            int read = in.readNBytes(head, 0, head.length);
            if (read != head.length || !Arrays.equals(head, PNG_SIGNATURE)) {
                throw new LocalStackException(file + " is not a PNG");
            }
        } catch (IOException e) {
            throw new LocalStackException("cannot read " + file + ": " + e, e);
        }
    }
}
