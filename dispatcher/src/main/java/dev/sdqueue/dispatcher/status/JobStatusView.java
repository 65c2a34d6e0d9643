package dev.sdqueue.dispatcher.status;

import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.GenerationRequested;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The status of every job this replica has seen, built from the requests and events topics (and from its own
 * accepted POSTs, for read-your-write). Merging is commutative across topics: a request record never moves a job
 * back, and the first terminal event is final (see {@link JobStatus#apply}). Thread-safe; each update is atomic
 * per job.
 *
 * <p>Everything is kept in memory for as long as the topics keep it (retention bounds a restart's rebuild).
 */
public final class JobStatusView {
    private final ConcurrentMap<String, JobStatus> jobs = new ConcurrentHashMap<>();

    public Optional<JobStatus> get(String jobId) {
        return Optional.ofNullable(jobs.get(jobId));
    }

    public int size() {
        return jobs.size();
    }

    /** A request seen on the topic, or accepted by this replica: queued unless more is known already. */
    public void onRequest(GenerationRequested request) {
        Objects.requireNonNull(request.jobId(), "jobId");
        jobs.merge(request.jobId(), JobStatus.queued(request), (known, fresh) -> known.withRequest(request));
    }

    /** True if the job is known with its request: a later request record for it changes nothing. */
    public boolean hasRequest(String jobId) {
        JobStatus known = jobs.get(jobId);
        return known != null && known.request() != null;
    }

    public void onEvent(GenerationEvent event) {
        Objects.requireNonNull(event.jobId(), "jobId");
        jobs.compute(event.jobId(), (id, known) ->
                (known != null ? known : JobStatus.unknownRequest(id)).apply(event));
    }
}
