package dev.sdqueue.loadtests;

import dev.sdqueue.loadtests.history.HistoryCommand;
import dev.sdqueue.loadtests.ingest.IngestCommand;
import dev.sdqueue.loadtests.latency.LatencyCommand;
import dev.sdqueue.loadtests.load.LoadCommand;
import dev.sdqueue.loadtests.worker.DutyCycleCommand;
import dev.sdqueue.loadtests.worker.ScalingCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ./sdq bench <name>}: the benchmarks of this module (and of {@code dev.sdqueue.loadtests.worker}). Each
 * prints its figures, its ratio line last, and where its reports are ({@code .sdq/bench/<name>-<timestamp>/}).
 * Exit codes: 0 done, 1 the bench could not run or measured errors it must not have, 2 usage.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmarks and the load harness (BENCHMARKS.md, load-tests/README.md).",
        subcommands = {LoadCommand.class, IngestCommand.class, LatencyCommand.class, DutyCycleCommand.class,
                ScalingCommand.class, HistoryCommand.class})
public final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        int exit = new CommandLine(new BenchCommand()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        System.exit(exit);
    }
}
