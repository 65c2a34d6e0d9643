package dev.sdqueue.ops.dlq;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** What every {@code dlq} subcommand shares: the broker options, output streams, a clock, Kafka failures. */
abstract class DlqSubcommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka;
    @Spec
    CommandSpec spec;
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit")
    boolean help;
    /** Replaceable so tests can pin "now" (ages, relative --since). */
    Clock clock = Clock.systemUTC();

    @Override
    public final Integer call() {
        try {
            return execute(spec.commandLine().getOut(), spec.commandLine().getErr());
        } catch (KafkaException e) {
            throw new DlqException("Kafka at " + kafka.bootstrapServers() + ": " + e.getMessage()
                    + " (is the broker up? ./sdq status; other address: --bootstrap)", e);
        }
    }

    abstract int execute(PrintWriter out, PrintWriter err);

    DlqReader reader() {
        return new DlqReader(kafka.bootstrapServers(), kafka.timeout());
    }

    /** {@code --reason} and {@code --since}, shared by list and replay. */
    static final class Filters {
        @Option(names = "--reason", paramLabel = "R", split = ",",
                description = "Only records with this sdq-dlq-reason (repeatable or comma-separated; 'none' = records "
                        + "without one)")
        List<String> reasons = List.of();

        @Option(names = "--since", paramLabel = "T",
                description = "Only records dead-lettered at or after T: an instant (2026-11-26T13:00:00Z), a date, "
                        + "or an age (90s, 15m, 2h, 1d12h, PT15M)")
        String since;

        DlqSelection selection(CommandLine commandLine, Clock clock, Optional<String> id) {
            Optional<java.time.Instant> from = Optional.empty();
            if (since != null) {
                try {
                    from = Optional.of(DlqSelection.parseSince(since, clock.instant()));
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(commandLine, "--since: " + e.getMessage());
                }
            }
            return new DlqSelection(reasons, from, id);
        }
    }
}
