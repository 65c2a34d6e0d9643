package dev.sdqueue.ops.chaos;

import dev.sdqueue.local.LocalSystem.Worker;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Workers joining and leaving every few seconds while jobs run: every {@code every} one more worker is started (it
 * joins the group once warmed up, and the cooperative assignor moves partitions to it, away from workers in the
 * middle of a job), then one is stopped with SIGTERM (it drains its job for {@code sdq.worker.shutdown-grace}, then
 * leaves, and its partitions move again), alternately. Between {@code base} and {@code base + 2} workers stay alive,
 * at least one of them ready. Each join and leave is written to the timeline.
 */
final class RebalanceStorm {
    /** A stopping worker gets this long for its drain and SmallRye's close before SIGKILL. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(60);

    private final ChaosSystem system;
    private final Timeline timeline;
    private final Duration every;
    private final int base;
    private final AtomicInteger joins = new AtomicInteger();
    private final AtomicInteger leaves = new AtomicInteger();
    private final BackgroundTasks stopping = new BackgroundTasks();
    /** Workers told to leave: still alive while they drain, but no longer serving, so not counted. */
    private final Set<String> told = new HashSet<>();

    RebalanceStorm(ChaosSystem system, Timeline timeline, Duration every, int base) {
        this.system = system;
        this.timeline = timeline;
        this.every = every;
        this.base = base;
    }

    /** Joins and leaves for {@code length}; returns when it is over (stops still draining are waited for later). */
    void run(Duration length) throws InterruptedException {
        timeline.add("rebalance storm: a worker joins or leaves every " + every.toSeconds() + " s for "
                + length.toSeconds() + " s");
        long end = System.nanoTime() + length.toNanos();
        boolean join = true;
        while (System.nanoTime() < end) {
            List<Worker> live = system.liveWorkers().stream().filter(w -> !told.contains(w.id())).toList();
            if (join && live.size() < base + 2 || live.size() <= base) {
                Worker joined = system.startWorker();
                joins.incrementAndGet();
                timeline.add("storm: " + joined.id() + " (pid " + joined.pid() + ") joins; " + (live.size() + 1)
                        + " workers serving");
            } else {
                leave(live);
            }
            join = !join;
            Thread.sleep(every.toMillis());
        }
        timeline.add("rebalance storm over: " + joins.get() + " joins, " + leaves.get() + " leaves");
    }

    /** SIGTERM to the longest-running ready worker, unless it is the only ready one. */
    private void leave(List<Worker> live) {
        List<Worker> ready = live.stream().filter(w -> w.process().isReady())
                .sorted(Comparator.comparingLong(Worker::startedAtMs)).toList();
        if (ready.size() < 2) {
            timeline.add("storm: no leave (" + ready.size() + " ready worker(s))");
            return;
        }
        Worker leaving = ready.get(0);
        told.add(leaving.id());
        leaves.incrementAndGet();
        timeline.add("storm: SIGTERM to " + leaving.id() + " (pid " + leaving.pid() + "); it drains and leaves");
        stopping.start("sdq-chaos-storm-stop-" + leaving.id(), () -> {
            long begin = System.currentTimeMillis();
            int exit = leaving.process().stop(STOP_GRACE);
            timeline.add("storm: " + leaving.id() + " left after " + (System.currentTimeMillis() - begin) + " ms (exit "
                    + exit + ")");
        });
    }

    /** Waits for the workers still draining (so the timeline is complete and no process is left behind). */
    void awaitStops(Duration timeout) throws InterruptedException {
        stopping.awaitAll(timeout);
    }
}
