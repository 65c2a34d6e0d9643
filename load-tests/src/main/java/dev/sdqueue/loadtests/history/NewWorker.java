package dev.sdqueue.loadtests.history;

import dev.sdqueue.loadtests.BenchClock;
import dev.sdqueue.loadtests.EventTracker;
import dev.sdqueue.loadtests.load.RequestShape;
import dev.sdqueue.local.LocalStack;
import dev.sdqueue.local.Ports;
import dev.sdqueue.schema.EventJson;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.Headers;
import dev.sdqueue.schema.Topics;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Step 3 of a {@link VariantRun}: a new worker, timed from its launch to the {@code started} event of a queued job. */
final class NewWorker {
    private static final Duration FIRST_JOB_COMPLETION = Duration.ofSeconds(60);

    private final VariantRun run;

    NewWorker(VariantRun run) {
        this.run = run;
    }

    /**
     * Queues one job (through a ready dispatcher, else straight onto the request topic), then launches a worker and
     * waits for its {@code started} event of that job and for the job's end.
     */
    void start(Map<String, URI> dispatchers, EventTracker tracker, Startup startup) throws Exception {
        String jobId;
        if (!dispatchers.isEmpty()) {
            EndToEndRun.Submitted queued = run.endToEnd.submit(dispatchers.values().iterator().next());
            if (queued.jobId() == null) {
                run.note("the worker's job could not be submitted (HTTP " + queued.status() + "): produced directly");
                jobId = produceDirectly();
            } else {
                jobId = queued.jobId();
            }
        } else {
            jobId = produceDirectly();
            run.note("the worker's job was produced straight onto " + Topics.REQUESTS + " (no dispatcher was ready)");
        }
        run.out.printf(Locale.ROOT, "  worker-1: job %s queued; launching the worker%n", jobId);
        double brokerCpu = MachineLoad.cpuSeconds(run.system.stack().kafkaPid());
        AppRun worker = launchWorker("worker-1");
        long[] readyAt = {0};
        long[] startedAt = {0};
        AppRun.Waited waited = worker.await(run.settings.readyTimeout(), () -> {
            if (readyAt[0] == 0 && worker.ready()) {
                readyAt[0] = BenchClock.nowMicros();
                startup.readySeconds = worker.secondsSinceStart(readyAt[0]);
                startup.cpuSecondsToReady = worker.cpuSeconds();
                startup.brokerCpuSecondsToReady = MachineLoad.cpuSeconds(run.system.stack().kafkaPid()) - brokerCpu;
            }
            Optional<EventTracker.JobEvents> seen = tracker.job(jobId);
            if (seen.isPresent() && seen.get().starts() > 0 && worker.name().equals(seen.get().worker())) {
                startedAt[0] = seen.get().startedReceivedMicros();
                startup.firstJobSeconds = worker.secondsSinceStart(startedAt[0]);
                startup.rssAtReadyMb = worker.memory().rssMb();
                return true;
            }
            return false;
        }, "its first job's started event", run.out::println);
        if (waited != AppRun.Waited.DONE) {
            run.failed(worker, startup, waited, "running its first job");
            return;
        }
        startup.status = Startup.READY;
        run.out.printf(Locale.ROOT, "  worker-1: first job started %.2f s after launch (ready after %s s), "
                        + "RSS %.0f MiB%n",
                startup.firstJobSeconds, startup.figure(startup.readySeconds, "%.2f"), startup.rssAtReadyMb);
        if (tracker.awaitTerminals(List.of(jobId), FIRST_JOB_COMPLETION)) {
            EventTracker.JobEvents ended = tracker.job(jobId).orElseThrow();
            startup.firstJobCompletedSeconds = worker.secondsSinceStart(ended.terminalReceivedMicros());
            if (ended.completed()) {
                run.completedHere.add(jobId);
            } else {
                run.note("the worker's first job ended " + ended.terminalType() + " (" + ended.failureReason() + ")");
            }
        } else {
            run.note("the worker's first job did not end within " + FIRST_JOB_COMPLETION.toSeconds() + " s");
        }
        VariantRun.sleep(run.settings.settle());
        startup.rssSettledMb = worker.memory().rssMb();
        startup.peakRssMb = worker.memory().peakRssMb();
        startup.liveHeapMb = worker.liveHeapMb();
        run.out.printf(Locale.ROOT, "  worker-1: RSS %.0f MiB %d s later, live heap after a full GC %.0f MiB%n",
                startup.rssSettledMb, run.settings.settle().toSeconds(), startup.liveHeapMb);
    }

    private AppRun launchWorker(String name) {
        LocalStack stack = run.system.stack();
        Map<String, String> properties = new LinkedHashMap<>(stack.quarkusConfig());
        properties.remove("sdq.storage.secret-key"); // by environment, never on the command line
        properties.put("sdq.model.dir", run.variant.modelDir(run.settings.workerModel(), run.settings.home())
                .toString());
        properties.put("sdq.model.name", run.settings.workerModel());
        properties.put("sdq.worker.id", name);
        int port = Ports.freePort();
        properties.putAll(run.expand(run.settings.workerProperties(), name, port));
        AppRun app = AppRun.launch(name, run.variant.workerJar(), run.dir, port, run.settings.workerJvmOptions(),
                properties,
                Map.of("SDQ_STORAGE_SECRET_KEY", stack.secretKey()));
        run.running.add(app);
        run.out.printf(Locale.ROOT, "  %s: launched on port %d (pid %d, model %s, log %s)%n", name, port, app.pid(),
                run.settings.workerModel(), app.process().log());
        return app;
    }

    /** A request as the dispatcher would publish it, for when no dispatcher is ready. */
    private String produceDirectly() {
        String jobId = UUID.randomUUID().toString();
        RequestShape shape = RequestShape.small();
        GenerationRequested request = new GenerationRequested(jobId, shape.prompt(), null, shape.width(),
                shape.height(), shape.steps(), 7.5, null, null, 1, null, Instant.now());
        RecordHeaders headers = new RecordHeaders();
        headers.add(Headers.CONTENT_TYPE, Headers.JSON.getBytes(StandardCharsets.UTF_8));
        headers.add(Headers.CE_SPECVERSION, Headers.CE_SPECVERSION_VALUE.getBytes(StandardCharsets.UTF_8));
        headers.add(Headers.CE_ID, UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
        headers.add(Headers.CE_TYPE, Headers.TYPE_REQUESTED.getBytes(StandardCharsets.UTF_8));
        headers.add(Headers.CE_SOURCE, "/sdq/bench/history".getBytes(StandardCharsets.UTF_8));
        headers.add("ce_subject", jobId.getBytes(StandardCharsets.UTF_8));
        headers.add(Headers.CE_TIME, Instant.now().toString().getBytes(StandardCharsets.UTF_8));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                run.system.bootstrapServers(), "acks", "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.REQUESTS, null, jobId.getBytes(StandardCharsets.UTF_8),
                    EventJson.toBytes(request), headers));
            producer.flush();
        }
        return jobId;
    }
}
