package dev.sdqueue.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code ./sdq up | down | status | demo | stack}: the local system in background JVMs that outlive this one, recorded
 * by PID under {@code <work dir>/run} and stopped by PID. Exit codes: 0 ok, 1 error or (status) something not running
 * or not ready.
 */
@Command(name = "sdq", mixinStandardHelpOptions = true, description = "sdqueue on this machine.",
        subcommands = {LocalSystemCli.Up.class, LocalSystemCli.Down.class, LocalSystemCli.Status.class,
            DemoCommand.class, LocalSystemCli.Running.class, LocalSystemCli.BuildOutputs.class})
public final class LocalSystemCli {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command in this JVM and returns its exit code (output on System.out / System.err). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The command line with every subcommand, {@code stack} included, and its error handling. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new LocalSystemCli());
        cli.addSubcommand("stack", new CommandLine(new LocalStackCli()));
        cli.setParameterExceptionHandler((e, args) -> {
            Console.system(homeOrNull()).error(e.getMessage() + " (see: ./sdq " + e.getCommandLine().getCommandName()
                    + " --help)");
            return 1;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            Console console = Console.system(homeOrNull());
            if (e instanceof LocalStackException || e instanceof IllegalArgumentException
                    || e instanceof IllegalStateException) {
                console.error(e.getMessage());
            } else {
                console.error(e.toString());
            }
            return 1;
        });
        return cli;
    }

    static Path homeOrNull() {
        try {
            return LocalSystem.home();
        } catch (LocalStackException e) {
            return null;
        }
    }

    @Command(name = "up", description = "Start Kafka + S3Proxy + dispatcher + one worker in the background (what"
            + " runs already is kept) and wait until they are ready.")
    static final class Up implements Callable<Integer> {
        @Mixin
        LauncherOptions options;

        @Override
        public Integer call() {
            run(options, Console.system(options.home()));
            return 0;
        }

        static void run(LauncherOptions options, Console console) {
            LocalSystemOptions system = options.systemOptions();
            Readiness.Ticker ticker = new Readiness.Ticker() {
                @Override
                public void waiting(String name, String what, long elapsed, String lastLine) {
                    if (console.tty()) {
                        String tail = lastLine.length() > 60 ? lastLine.substring(0, 60) : lastLine;
                        console.live(String.format("    waiting for %s (%s) %3d s %s", name, what, elapsed,
                                console.dim(tail)));
                    } else if (elapsed > 0 && elapsed % 15 == 0) {
                        console.detail("waiting for " + name + " (" + what + ") " + elapsed + " s");
                    }
                }

                @Override
                public void done() {
                    console.clearLive();
                }
            };
            LocalSystem launcher = LocalSystem.detached(system, console::detail, ticker);
            console.step("local stack (Kafka + S3Proxy)");
            launcher.startStack();
            LocalStackCli.print(system.stack(), StackState.read(system.stack().runDir()).orElseThrow());
            console.step("dispatcher");
            launcher.startDispatcher();
            console.step("worker");
            launcher.startWorkers();
            try {
                launcher.awaitReady();
            } catch (LocalStackException e) {
                throw new LocalStackException(e.getMessage() + "\n(what started keeps running: ./sdq status;"
                        + " ./sdq down stops it)", e);
            }
            console.info("");
            summary(options, system, console);
        }

        private static void summary(LauncherOptions options, LocalSystemOptions system, Console console) {
            console.info(console.green("sdqueue is up"));
            Path logs = system.workDir().resolve("logs");
            for (RecordedApp app : RecordedApp.all(system.workDir())) {
                String where = app.baseUrl() + (app.isDispatcher() ? "/v1/generations" : "/q/health");
                console.info(String.format("  %-11s %-36s pid %d  log %s", app.name(), where, app.pid(),
                        console.relative(logs.resolve(app.name() + ".log"))));
            }
            StackState state = StackState.read(system.stack().runDir()).orElseThrow();
            console.info(String.format("  %-11s %-36s pid %d  log %s", "kafka", state.bootstrapServers(),
                    state.kafkaPid(), console.relative(logs.resolve("kafka.log"))));
            console.info(String.format("  %-11s %-36s pid %d  log %s", "s3", state.s3Endpoint() + "/"
                    + state.bucket(), state.s3Pid(), console.relative(logs.resolve("s3proxy.log"))));
            console.info("  model       " + system.modelDir());
            console.info("  try:        ./sdq demo \"a red cube on a table\"      stop: ./sdq down");
        }
    }

    @Command(name = "down", description = "Stop everything ./sdq up started (by PID) and check no port is left open.")
    static final class Down implements Callable<Integer> {
        @Mixin
        LauncherOptions options;

        @Override
        public Integer call() {
            Console console = Console.system(options.home());
            console.step("stopping sdqueue");
            LocalStackConfig config = options.stackConfig();
            List<Integer> ports = new ArrayList<>(LocalSystem.stopRecordedApps(config.workDir(), console::detail));
            if (ports.isEmpty()) {
                ports.addAll(List.of(options.workerPort, options.dispatcherPort));
            }
            Optional<StackState> state = StackState.read(config.runDir());
            ports.addAll(state.map(s -> List.of(s.kafkaPort(), s.controllerPort(), s.s3Port()))
                    .orElse(List.of(config.kafkaPort(), config.controllerPort(), config.s3Port())));
            if (RecordedStacks.stopRecorded(config, line -> console.info("  " + line))) {
                console.info("local stack stopped");
            } else {
                console.info("no local stack recorded in " + config.runDir());
            }
            boolean leftover = false;
            for (int port : ports) {
                if (!Ports.awaitClosed(port, java.time.Duration.ofSeconds(5))) {
                    console.detail(console.red("port " + port + " still accepts connections") + " (not started by"
                            + " ./sdq? see: ss -ltnp 'sport = :" + port + "')");
                    leftover = true;
                }
            }
            if (!leftover) {
                console.detail("nothing left listening on ports " + String.join(" ",
                        ports.stream().map(String::valueOf).toList()));
            }
            return leftover ? 1 : 0;
        }
    }

    @Command(name = "status", description = "Show what runs where (exit 1 if something is not running or not ready).")
    static final class Status implements Callable<Integer> {
        @Mixin
        LauncherOptions options;

        @Override
        public Integer call() {
            boolean ok = LocalStackCli.printStatus(options.stackConfig());
            Path workDir = options.workDir();
            List<RecordedApp> apps = RecordedApp.all(workDir);
            List<String> names = new ArrayList<>(apps.stream().map(RecordedApp::name).toList());
            // What ./sdq up starts is listed even when not recorded: the dispatcher first, the worker last.
            if (!names.contains(LocalSystem.DISPATCHER)) {
                names.add(0, LocalSystem.DISPATCHER);
            }
            if (!names.contains(LauncherOptions.WORKER)) {
                names.add(LauncherOptions.WORKER);
            }
            for (String name : names) {
                Optional<RecordedApp> app = apps.stream().filter(a -> a.name().equals(name)).findFirst()
                        .filter(RecordedApp::isAlive);
                if (app.isEmpty()) {
                    System.out.printf("%-10s %-11s %-24s %s%n", name, "", "", "not running");
                    ok = false;
                    continue;
                }
                int code = RecordedApp.probeReady(app.get().port());
                LocalStackCli.printStatusLine(name, app.get().pid(), app.get().baseUrl(),
                        code == 200 ? "up" : "running, not ready (HTTP " + (code < 0 ? "none" : code) + ")");
                ok &= code == 200;
            }
            return ok ? 0 : 1;
        }
    }

    /** Exit 0 if the dispatcher, the worker, Kafka and S3 of {@code ./sdq up} run (for ./sdq demo); prints nothing. */
    @Command(name = "running", hidden = true)
    static final class Running implements Callable<Integer> {
        @Mixin
        LauncherOptions options;

        @Override
        public Integer call() {
            return isUp(options) ? 0 : 1;
        }

        static boolean isUp(LauncherOptions options) {
            Path workDir = options.workDir();
            boolean apps = List.of(LocalSystem.DISPATCHER, LauncherOptions.WORKER).stream()
                    .allMatch(name -> RecordedApp.read(workDir, name).filter(RecordedApp::isAlive).isPresent());
            LocalStackConfig stack = options.stackConfig();
            return apps && Ports.isListening(stack.kafkaPort()) && Ports.isListening(stack.s3Port());
        }
    }

    /** The build output ./sdq up and the benches need, one path a line (./sdq builds when one is missing). */
    @Command(name = "build-outputs", hidden = true)
    static final class BuildOutputs implements Callable<Integer> {
        @Mixin
        LauncherOptions options;

        @Override
        public Integer call() {
            LocalSystemOptions system = options.systemOptions();
            Path home = options.home();
            System.out.println(system.dispatcher().jar());
            System.out.println(system.worker().jar());
            if (options.modelDir == null) {
                System.out.println(system.modelDir().resolve("model_index.json"));
            }
            for (String model : List.of("bench-1s", "bench-wallclock")) {
                System.out.println(LocalSystem.modelDir(home, model).resolve("model_index.json"));
            }
            return 0;
        }
    }
}
