package dev.sdqueue.ops.dlq;

import dev.sdqueue.schema.Topics;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code ./sdq dlq list | show ID | replay}: inspect the dead-letter topic and put selected records back on the
 * request topic. Exit codes: 0 done, 1 failure (broker unreachable, record not found, send failed), 2 usage.
 */
@Command(name = "dlq", subcommands = {ListCommand.class, ShowCommand.class, ReplayCommand.class},
        description = {"Inspect and replay the dead-letter topic " + Topics.DEAD_LETTER + ".",
                "Records are read with a plain consumer (all partitions, no consumer group): reading changes nothing."})
public final class DlqCommand implements Runnable {
    @Spec
    CommandSpec spec;
    @picocli.CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit")
    boolean help;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: list, show or replay");
    }

    /** The command line with the one-line error handling of {@link DlqException}. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new DlqCommand());
        commandLine.setExecutionExceptionHandler((e, cl, parseResult) -> {
            if (e instanceof DlqException) {
                cl.getErr().println("dlq: " + e.getMessage());
                cl.getErr().flush();
                return 1;
            }
            throw e;
        });
        return commandLine;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
