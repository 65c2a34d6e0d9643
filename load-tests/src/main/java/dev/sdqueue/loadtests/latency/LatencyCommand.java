package dev.sdqueue.loadtests.latency;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "latency", mixinStandardHelpOptions = true)
public final class LatencyCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return 1;
    }
}
