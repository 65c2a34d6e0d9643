package dev.sdqueue.follower;

/** The life cycle of a {@link TopicFollower}; {@link #FAILED} and {@link #CLOSED} are final. */
public enum FollowerState {
    /** Built, {@code start()} not called yet. */
    NEW,
    /** The thread runs but not every topic is assigned yet (broker away, topic missing under WAIT). */
    ASSIGNING,
    /** Every topic is assigned and being read. */
    FOLLOWING,
    /** Stopped by an error it does not retry (a handler exception, a missing topic under FAIL, ...). */
    FAILED,
    /** Stopped by {@code close()}. */
    CLOSED;

    /** True once nothing more will be read. */
    public boolean stopped() {
        return this == FAILED || this == CLOSED;
    }
}
