package dev.sdqueue.ops.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Side tasks of a run that must not hold it up (a replacement worker getting ready, a stopping worker draining), each
 * on a daemon thread, and waited for together before the summary so the timeline is complete.
 */
final class BackgroundTasks {
    private final List<Thread> threads = new ArrayList<>();

    /** Starts {@code body} on a daemon thread named {@code name}. */
    void start(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        synchronized (threads) {
            threads.add(thread);
        }
    }

    /** Waits for every task started so far, at most {@code timeout} in all. */
    void awaitAll(Duration timeout) throws InterruptedException {
        List<Thread> started;
        synchronized (threads) {
            started = List.copyOf(threads);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread thread : started) {
            thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
    }
}
