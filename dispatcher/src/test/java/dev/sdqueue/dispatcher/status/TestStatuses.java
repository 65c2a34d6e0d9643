package dev.sdqueue.dispatcher.status;

import dev.sdqueue.schema.GenerationEvent;
import dev.sdqueue.schema.GenerationRequested;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Jobs merged in a plain map with the store's merge functions: the processor's semantics without Kafka. */
public final class TestStatuses {
    private final Map<String, JobStatus> jobs = new HashMap<>();

    public Optional<JobStatus> get(String jobId) {
        return Optional.ofNullable(jobs.get(jobId));
    }

    public int size() {
        return jobs.size();
    }

    public void onRequest(GenerationRequested request) {
        jobs.put(request.jobId(), JobStatus.afterRequest(jobs.get(request.jobId()), request));
    }

    public void onEvent(GenerationEvent event) {
        jobs.put(event.jobId(), JobStatus.afterEvent(jobs.get(event.jobId()), event));
    }
}
