package dev.sdqueue.loadtests.load;

/**
 * One {@code POST /v1/generations} as the harness saw it: {@link dev.sdqueue.loadtests.BenchClock} micros right
 * before sending and right after the answer was read, the HTTP status (0 = no answer: connection error or
 * timeout) and the job id of a 202.
 */
public record Submission(String phase, long sendMicros, long answerMicros, int status, String jobId) {
    public boolean accepted() {
        return status == 202 && jobId != null;
    }

    public double latencyMs() {
        return (answerMicros - sendMicros) / 1000.0;
    }
}
