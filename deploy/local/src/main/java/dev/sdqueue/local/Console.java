package dev.sdqueue.local;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The launcher's output: {@code ==> step} headers, indented details, {@code error:} lines on stderr, and on a
 * terminal colours and one live status line that is rewritten in place ({@code \r}).
 */
final class Console {
    private final PrintStream out;
    private final PrintStream err;
    private final boolean tty;
    private final Path home;
    private boolean liveShown;

    Console(PrintStream out, PrintStream err, boolean tty, Path home) {
        this.out = out;
        this.err = err;
        this.tty = tty;
        this.home = home;
    }

    /** stdout/stderr of this JVM; a terminal if the JVM has a console (stdin and stdout are terminals). */
    static Console system(Path home) {
        return new Console(System.out, System.err, System.console() != null, home);
    }

    boolean tty() {
        return tty;
    }

    String bold(String text) {
        return tty ? "\u001b[1m" + text + "\u001b[0m" : text;
    }

    String red(String text) {
        return tty ? "\u001b[31m" + text + "\u001b[0m" : text;
    }

    String green(String text) {
        return tty ? "\u001b[32m" + text + "\u001b[0m" : text;
    }

    String dim(String text) {
        return tty ? "\u001b[2m" + text + "\u001b[0m" : text;
    }

    void step(String text) {
        info(bold("==>") + " " + text);
    }

    /** An indented detail line; paths under the repository are shown relative to it. */
    void detail(String text) {
        info("    " + relative(text));
    }

    void info(String text) {
        clearLive();
        out.println(text);
    }

    void error(String text) {
        clearLive();
        out.flush();
        err.println(red("error:") + " " + relative(text));
    }

    /** Raw lines to stderr (e.g. a log's tail). */
    void errorDetail(String text) {
        clearLive();
        err.println(text);
    }

    /** On a terminal, rewrites the live status line; elsewhere prints nothing (callers print changes instead). */
    void live(String text) {
        if (tty) {
            out.print("\r\u001b[K" + text);
            out.flush();
            liveShown = true;
        }
    }

    void clearLive() {
        if (liveShown) {
            out.print("\r\u001b[K");
            out.flush();
            liveShown = false;
        }
    }

    /** {@code text} with the repository root prefix removed from paths in it. */
    String relative(String text) {
        return home == null ? text : text.replace(home + "/", "");
    }

    String relative(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        return home != null && absolute.startsWith(home) ? home.relativize(absolute).toString() : absolute.toString();
    }
}
