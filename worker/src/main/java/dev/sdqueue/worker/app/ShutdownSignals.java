package dev.sdqueue.worker.app;

import dev.sdqueue.worker.job.JobSupervisor;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.List;
import org.jboss.logging.Logger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Drains the jobs in flight ({@link JobSupervisor#drain}) on SIGTERM/SIGINT before the JVM starts its shutdown
 * hooks (ONNX Runtime frees its native environment in one of its own, concurrently with Quarkus's), and again on
 * Quarkus's shutdown event (a no-op after a signal).
 */
@Singleton
final class ShutdownSignals {
    private static final Logger LOG = Logger.getLogger(ShutdownSignals.class);

    private final JobSupervisor supervisor;

    ShutdownSignals(JobSupervisor supervisor) {
        this.supervisor = supervisor;
    }

    /** In a packaged worker (not in tests or dev mode). */
    void installSignalHandlers(@Observes StartupEvent startup) {
        if (LaunchMode.current() != LaunchMode.NORMAL) {
            return;
        }
        for (String name : List.of("TERM", "INT")) {
            try {
                Signal signal = new Signal(name);
                SignalHandler[] previous = new SignalHandler[1];
                previous[0] = Signal.handle(signal, received -> {
                    supervisor.drain();
                    handOver(received, previous[0]);
                });
            } catch (IllegalArgumentException e) {
                LOG.warnf("cannot handle SIG%s (%s): a job in flight at shutdown is not drained", name,
                        e.getMessage());
            }
        }
    }

    /** The JVM's own handling of the signal (exit 128 + signal number, running the shutdown hooks). */
    private static void handOver(Signal received, SignalHandler previous) {
        if (previous == null || previous == SignalHandler.SIG_DFL || previous == SignalHandler.SIG_IGN) {
            System.exit(128 + received.getNumber());
        } else {
            previous.handle(received);
        }
    }

    void onShutdown(@Observes ShutdownEvent shutdown) {
        supervisor.drain();
    }
}
