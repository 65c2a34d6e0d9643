package dev.sdqueue.worker.kafka;

import dev.sdqueue.worker.WorkerConfig;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** The name of this worker process in events, logs and metrics. */
@Singleton
public final class WorkerIdentity {
    private final String id;

    public WorkerIdentity(WorkerConfig.Worker config) {
        this.id = config.id().orElseGet(WorkerIdentity::hostAndPid);
    }

    public String id() {
        return id;
    }

    private static String hostAndPid() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return host + "-" + ProcessHandle.current().pid();
    }
}
