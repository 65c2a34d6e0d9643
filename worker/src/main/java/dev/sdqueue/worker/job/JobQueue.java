package dev.sdqueue.worker.job;

/** Where the request adapter hands jobs: the {@link JobExecutor} (faked in the adapter's unit test). */
@FunctionalInterface
public interface JobQueue {

    /** Queues the job; its outcome goes to the ticket's handler, after which its lease is closed. */
    void submit(JobExecutor.Ticket ticket) throws InterruptedException;
}
