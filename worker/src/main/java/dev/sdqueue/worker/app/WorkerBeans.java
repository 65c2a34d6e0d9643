package dev.sdqueue.worker.app;

import dev.sdqueue.schema.RequestValidator;
import dev.sdqueue.worker.WorkerConfig;
import dev.sdqueue.worker.generator.LoadableGenerator;
import dev.sdqueue.worker.generator.ModelReadiness;
import dev.sdqueue.worker.generator.PipelineImageGenerator;
import dev.sdqueue.worker.generator.WallClockBenchmarkModel;
import dev.sdqueue.worker.generator.WallClockImageGenerator;
import dev.sdqueue.worker.job.EventPublisher;
import dev.sdqueue.worker.job.JobExecutor;
import dev.sdqueue.worker.job.JobRunner;
import dev.sdqueue.worker.job.JobSupervisor;
import dev.sdqueue.worker.job.StageRecorder;
import dev.sdqueue.worker.job.TerminalStates;
import dev.sdqueue.worker.kafka.WorkerIdentity;
import dev.sdqueue.worker.routing.RetrySchedule;
import dev.sdqueue.worker.storage.ImageStore;
import dev.sdqueue.worker.storage.MinioImageStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.concurrent.Executors;
import org.eclipse.microprofile.health.Readiness;

/**
 * Builds the worker's plain classes from configuration, so that they stay free of CDI: the model (the Stable
 * Diffusion pipeline, or the wall-clock benchmark model when the folder is one), the job runner and executor, the
 * supervisor and the retry schedule.
 */
final class WorkerBeans {

    @Produces
    @Singleton
    LoadableGenerator generator(WorkerConfig.Model model, WorkerConfig.Pipeline pipeline, WorkerConfig.Limits limits,
                                WorkerConfig.Defaults defaults, @Readiness ModelReadiness readiness,
                                MeterRegistry registry) {
        if (WallClockBenchmarkModel.isIn(model.dir())) {
            return new WallClockImageGenerator(model.dir(), readiness);
        }
        return new PipelineImageGenerator(model, pipeline, limits, defaults, readiness, registry);
    }

    void closeGenerator(@Disposes LoadableGenerator generator) {
        generator.close();
    }

    /**
     * Loads and warms up the model while Quarkus starts, before Reactive Messaging connects to Kafka (its startup
     * observer runs at priority 1000): a cold worker never joins the consumer group or holds partitions.
     */
    void loadModelBeforeConsuming(@Observes @Priority(500) StartupEvent startup, LoadableGenerator generator)
            throws Exception {
        generator.load();
    }

    /** The bucket and its lifecycle rule, before Reactive Messaging connects (a worker that cannot store nothing). */
    void prepareStorageBeforeConsuming(@Observes @Priority(550) StartupEvent startup, MinioImageStore store,
                                       WorkerConfig.Storage storage) throws InterruptedException {
        store.prepare(storage.startupTimeout());
    }

    @Produces
    @Singleton
    JobSupervisor supervisor(WorkerConfig.Worker worker, Clock clock) {
        return new JobSupervisor(worker.shutdownGrace(), worker.maxJobDuration(), clock);
    }

    @Produces
    @Singleton
    JobRunner runner(WorkerConfig.Limits l, WorkerConfig.Defaults d, WorkerConfig.Model model,
                     WorkerConfig.Pipeline pipeline, LoadableGenerator generator, ImageStore store,
                     EventPublisher events, TerminalStates terminals, WorkerIdentity identity,
                     StageRecorder stages, Clock clock) {
        return new JobRunner(generator, store, events, terminals, new RequestValidator(l.toRequestLimits()),
                d.toRequestDefaults(model.name()),
                new JobRunner.Settings(identity.id(), pipeline.progressEvery(), pipeline.progressInterval()),
                clock, stages, Executors.newSingleThreadExecutor(runnable -> {
                    Thread thread = new Thread(runnable, "sdq-admission");
                    thread.setDaemon(true); // only waits on the broker; nothing to finish at exit
                    return thread;
                }));
    }

    @Produces
    @Singleton
    JobExecutor executor(JobRunner runner, JobSupervisor supervisor, WorkerConfig.Worker worker,
                         StageRecorder stages) {
        return new JobExecutor(runner, supervisor, Math.max(0, worker.finishingJobs()), stages);
    }

    /** The supervisor's drain waits for jobs still finishing (each holds a lease). */
    void closeExecutor(@Disposes JobExecutor executor) {
        executor.close();
    }

    @Produces
    @Singleton
    RetrySchedule retries(WorkerConfig.Retry retry) {
        return RetrySchedule.of(retry.delays(), retry.timeout());
    }

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
