package dev.sdqueue.ops.chaos;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/** What happened when during a run, in seconds since the run's first submission; echoed live to {@code out}. */
final class Timeline {
    record Entry(long atMs, String text) {
    }

    private final long originMs;
    private final Consumer<String> out;
    private final List<Entry> entries = new ArrayList<>();

    Timeline(long originMs, Consumer<String> out) {
        this.originMs = originMs;
        this.out = out;
    }

    void add(String text) {
        add(System.currentTimeMillis(), text);
    }

    synchronized void add(long atMs, String text) {
        Entry entry = new Entry(atMs, text);
        entries.add(entry);
        out.accept(format(entry));
    }

    String format(Entry entry) {
        return String.format("%8.1f s  %s", (entry.atMs() - originMs) / 1000.0, entry.text());
    }

    /** Seconds since the origin of an absolute time, for messages. */
    String at(long atMs) {
        return String.format("%.1f s", (atMs - originMs) / 1000.0);
    }

    synchronized List<String> lines() {
        return entries.stream().sorted(Comparator.comparingLong(Entry::atMs)).map(this::format).toList();
    }
}
