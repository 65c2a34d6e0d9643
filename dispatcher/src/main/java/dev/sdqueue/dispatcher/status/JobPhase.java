package dev.sdqueue.dispatcher.status;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where a job is. {@link #rank} only grows: an event arriving late (or from the other topic) never moves a job back. */
public enum JobPhase {
    QUEUED(0),
    RUNNING(1),
    SUCCEEDED(2),
    FAILED(2);

    private final int rank;

    JobPhase(int rank) {
        this.rank = rank;
    }

    public int rank() {
        return rank;
    }

    public boolean terminal() {
        return rank == 2;
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
