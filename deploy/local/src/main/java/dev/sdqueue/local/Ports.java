package dev.sdqueue.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/** Loopback port checks. The stack binds 127.0.0.1 only. */
public final class Ports {
    static final String HOST = "127.0.0.1";

    private Ports() {
    }

    /** Whether something accepts TCP connections on the port. */
    static boolean isListening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    /** Whether this process could bind the port right now (nothing listens on it, on any address). */
    static boolean isFree(int port) {
        if (isListening(port)) {
            return false;
        }
        // Also catches a listener on another address (e.g. 0.0.0.0 with a firewall) that refused our connect.
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            return true;
        } catch (IOException taken) {
            return false;
        }
    }

    /** {@code count} distinct ports the kernel just handed out as free (tests use them to avoid 9092/9000). */
    static int[] freePorts(int count) {
        Set<Integer> seen = new HashSet<>();
        int[] ports = new int[count];
        int found = 0;
        while (found < count) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
                int port = socket.getLocalPort();
                if (seen.add(port)) {
                    ports[found++] = port;
                }
            } catch (IOException e) {
                throw new LocalStackException("cannot find a free loopback port: " + e.getMessage(), e);
            }
        }
        return ports;
    }

    /** One port the kernel just handed out as free (for apps launched outside this package, e.g. the benches). */
    public static int freePort() {
        return freePorts(1)[0];
    }

    /** Waits until nothing listens on the port; false if something still does after the timeout. */
    static boolean awaitClosed(int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isListening(port)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(Duration.ofMillis(100));
        }
        return true;
    }

    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackException("interrupted", e);
        }
    }
}
