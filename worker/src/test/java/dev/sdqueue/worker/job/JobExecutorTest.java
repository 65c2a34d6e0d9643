package dev.sdqueue.worker.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sdqueue.pipeline.StageTimings;
import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.GenerationRequested;
import dev.sdqueue.schema.ImageRef;
import dev.sdqueue.schema.RequestDefaults;
import dev.sdqueue.schema.RequestLimits;
import dev.sdqueue.schema.RequestValidator;
import dev.sdqueue.worker.storage.ImageStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The executor's one path, with {@code finishingJobs} as a setting of it: the model overlaps the next job with a
 * finishing one, or (0) runs one job at a time end to end; duplicates wait; outcomes reach their handler once.
 */
class JobExecutorTest {
    private static final long WAIT_S = 10;
    private final Generator generator = new Generator();
    private final Store store = new Store();
    private final Terminals terminals = new Terminals();
    private final JobSupervisor supervisor = new JobSupervisor(Duration.ofSeconds(5), Duration.ofMinutes(10),
            Clock.systemUTC());
    private final Map<String, LinkedBlockingQueue<JobOutcome>> outcomes = new ConcurrentHashMap<>();
    private JobExecutor executor;

    private JobExecutor executor(int finishingJobs) {
        JobRunner runner = new JobRunner(generator, store, new Events(), terminals,
                new RequestValidator(RequestLimits.DEFAULTS), new RequestDefaults(64, 64, 2, 7.5, 1, null, "m"),
                new JobRunner.Settings("w", 1, Duration.ZERO), Clock.systemUTC(), StageRecorder.NONE, Runnable::run);
        executor = new JobExecutor(runner, supervisor, finishingJobs, StageRecorder.NONE);
        return executor;
    }

    @AfterEach
    void close() {
        store.release.countDown();
        if (executor != null) {
            executor.close();
        }
    }

    private JobExecutor.Ticket ticket(String jobId) {
        return new JobExecutor.Ticket(request(jobId), JobAttempt.of(1), supervisor.begin(jobId).orElseThrow(),
                outcome -> outcomes.computeIfAbsent(jobId, id -> new LinkedBlockingQueue<>()).add(outcome));
    }

    /** The prompt is the job id, so the fake model can say which job it ran. */
    private static GenerationRequested request(String jobId) {
        return new GenerationRequested(jobId, jobId, null, null, null, null, null, 1L, null, null, null, null);
    }

    private JobOutcome outcomeOf(String jobId) throws InterruptedException {
        JobOutcome outcome = outcomes.computeIfAbsent(jobId, id -> new LinkedBlockingQueue<>()).poll(WAIT_S,
                TimeUnit.SECONDS);
        assertThat(outcome).as("outcome of " + jobId).isNotNull();
        return outcome;
    }

    private static Thread submitting(JobExecutor executor, JobExecutor.Ticket ticket) {
        Thread thread = new Thread(() -> {
            try {
                executor.submit(ticket);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        thread.start();
        return thread;
    }

    @Test
    void withFinishingThreadsTheModelRunsTheNextJobWhileThePreviousOneUploads() throws Exception {
        JobExecutor jobs = executor(1);
        store.blockJob = "job-1";

        jobs.submit(ticket("job-1"));
        assertThat(store.uploading.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
        jobs.submit(ticket("job-2"));

        assertThat(generator.ran.poll(WAIT_S, TimeUnit.SECONDS)).isEqualTo("job-1");
        assertThat(generator.ran.poll(WAIT_S, TimeUnit.SECONDS)).as("job 2 on the model during job 1's upload")
                .isEqualTo("job-2");
        assertThat(outcomes.get("job-1")).isNull();
        store.release.countDown();
        assertThat(outcomeOf("job-1")).isEqualTo(new JobOutcome.Completed(1));
        assertThat(outcomeOf("job-2")).isEqualTo(new JobOutcome.Completed(1));
        assertLeasesClosed();
    }

    @Test
    void withoutFinishingThreadsOneJobRunsAtATimeEndToEndOnTheSamePath() throws Exception {
        JobExecutor jobs = executor(0);
        store.blockJob = "job-1";

        jobs.submit(ticket("job-1"));
        assertThat(store.uploading.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
        Thread second = submitting(jobs, ticket("job-2"));

        assertThat(generator.ran.poll(WAIT_S, TimeUnit.SECONDS)).isEqualTo("job-1");
        assertThat(generator.ran.poll(300, TimeUnit.MILLISECONDS)).as("job 2 waits for job 1's end").isNull();
        second.join(200);
        assertThat(second.isAlive()).as("submit waits while a job is in flight").isTrue();
        store.release.countDown();
        assertThat(outcomeOf("job-1")).isEqualTo(new JobOutcome.Completed(1));
        assertThat(outcomeOf("job-2")).isEqualTo(new JobOutcome.Completed(1));
        assertThat(generator.ran.poll(WAIT_S, TimeUnit.SECONDS)).isEqualTo("job-2");
        second.join(TimeUnit.SECONDS.toMillis(WAIT_S));
        assertThat(second.isAlive()).isFalse();
    }

    @Test
    void aDuplicateOfAJobInFlightWaitsForItAndThenFindsItEnded() throws Exception {
        JobExecutor jobs = executor(2);
        store.blockJob = "job-1";

        jobs.submit(ticket("job-1"));
        assertThat(store.uploading.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
        Thread duplicate = submitting(jobs, ticket("job-1"));
        duplicate.join(300);
        assertThat(duplicate.isAlive()).as("the duplicate waits for the first delivery").isTrue();
        store.release.countDown();

        assertThat(outcomeOf("job-1")).isEqualTo(new JobOutcome.Completed(1));
        assertThat(outcomeOf("job-1")).isEqualTo(new JobOutcome.AlreadyTerminal("completed"));
        assertThat(generator.ran).containsExactly("job-1"); // only the first delivery reached the model
    }

    @Test
    void aJobStillQueuedWhenTheWorkerDrainsIsStoppedNotRun() throws Exception {
        JobExecutor jobs = executor(1);
        store.blockJob = "job-1";
        jobs.submit(ticket("job-1"));
        assertThat(store.uploading.await(WAIT_S, TimeUnit.SECONDS)).isTrue();
        generator.ran.clear();
        generator.hold = new CountDownLatch(1); // the model is busy with job 2 while job 3 waits
        jobs.submit(ticket("job-2"));
        jobs.submit(ticket("job-3"));
        Thread drain = new Thread(supervisor::drain);
        drain.start();
        while (!supervisor.draining()) {
            Thread.onSpinWait();
        }
        generator.hold.countDown();
        store.release.countDown();

        assertThat(outcomeOf("job-3")).isEqualTo(new JobOutcome.Aborted(JobAttempt.AbortReason.SHUTDOWN));
        assertThat(outcomeOf("job-2")).isEqualTo(new JobOutcome.Completed(1));
        drain.join(TimeUnit.SECONDS.toMillis(WAIT_S));
        assertThat(generator.ran).doesNotContain("job-3");
    }

    @Test
    void anOutcomeHandlerThatThrowsStillReleasesItsJob() throws Exception {
        JobExecutor jobs = executor(1);
        jobs.submit(new JobExecutor.Ticket(request("job-1"), JobAttempt.of(1), supervisor.begin("job-1").orElseThrow(),
                outcome -> {
                    throw new IllegalStateException("a bug in the handler");
                }));
        jobs.submit(ticket("job-2"));

        assertThat(outcomeOf("job-2")).isEqualTo(new JobOutcome.Completed(1));
        assertLeasesClosed();
    }

    /** Leases close right after the outcome handler returns. */
    private void assertLeasesClosed() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (supervisor.running().isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(supervisor.running()).as("a job still holds its lease").isEmpty();
    }

    private static final class Generator implements ImageGenerator {
        final LinkedBlockingQueue<String> ran = new LinkedBlockingQueue<>();
        volatile CountDownLatch hold;

        @Override
        public Output generate(Input input, StepProgress progress) {
            ran.add(input.prompt());
            CountDownLatch latch = hold;
            if (latch != null) {
                try {
                    latch.await(WAIT_S, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            for (int step = 1; step <= input.steps(); step++) {
                if (progress.onStep(step, input.steps()) == StepDecision.STOP) {
                    return Output.stoppedRun(StageTimings.ZERO);
                }
            }
            return new Output(List.of(new Image(new byte[] {1}, input.width(), input.height(), input.seed())),
                    StageTimings.ZERO, null, false);
        }

        @Override
        public List<String> supportedSchedulers() {
            return List.of("euler");
        }

        @Override
        public String provider() {
            return "fake";
        }
    }

    private static final class Store implements ImageStore {
        final CountDownLatch uploading = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile String blockJob;

        @Override
        public ImageRef putPng(String jobId, int index, byte[] png, int width, int height, long seed) {
            if (jobId.equals(blockJob)) {
                uploading.countDown();
                try {
                    release.await(WAIT_S, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return new ImageRef("http://s3/" + jobId, "b", ImageStore.key(jobId, index), width, height, seed,
                    "image/png");
        }
    }

    private static final class Terminals implements TerminalStates {
        final Map<String, String> ended = new ConcurrentHashMap<>();

        @Override
        public Optional<String> terminalOf(String jobId) {
            return Optional.ofNullable(ended.get(jobId));
        }

        @Override
        public void published(String jobId, String type) {
            ended.putIfAbsent(jobId, type);
        }
    }

    private static final class Events implements EventPublisher {
        final List<GenerationEvent> sent = new CopyOnWriteArrayList<>();

        @Override
        public void publish(GenerationEvent event) {
            sent.add(event);
        }

        @Override
        public void publishAsync(GenerationEvent event) {
            sent.add(event);
        }
    }
}
