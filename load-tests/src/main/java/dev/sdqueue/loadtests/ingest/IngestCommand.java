package dev.sdqueue.loadtests.ingest;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "ingest", mixinStandardHelpOptions = true)
public final class IngestCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 1;
    }
}
