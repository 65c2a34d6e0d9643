package dev.sdqueue.follower;

/** What a {@link TopicFollower} does when a topic it should follow does not exist on the broker. */
public enum MissingTopicPolicy {
    /** Log it once and keep looking (servers started before the topics are created). */
    WAIT,
    /** Fail at once with an error naming the topic (tools, where a typo must not mean a silent empty result). */
    FAIL
}
