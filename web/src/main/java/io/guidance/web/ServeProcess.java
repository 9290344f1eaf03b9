package io.guidance.web;

import io.guidance.config.Setting;
import io.guidance.config.Settings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web service as a process of its own: the settings from {@code [--config FILE] [--key value
 * ...]}, {@link GuidanceWebServer#start}, then running until SIGTERM or SIGINT, then a graceful
 * {@link GuidanceWebServer#close()} and exit code 0. The one implementation behind {@code guidance
 * serve} and {@code java io.guidance.web.GuidanceWebServer} (the image's entry point).
 *
 * <p>Without {@code --config} the settings are the built-in defaults (Kafka at {@code
 * localhost:9092}, Redis at {@code localhost:6379}, port 8080), as for the job.
 */
public final class ServeProcess {
    private static final Logger LOG = LoggerFactory.getLogger(ServeProcess.class);

    private ServeProcess() {}

    /** A command line that does not parse, or a setting with a bad value: usage, exit code 2. */
    public static final class BadArguments extends Exception {
        private static final long serialVersionUID = 1L;

        BadArguments(String message) {
            super(message);
        }
    }

    /** A settings file that cannot be read, or a start that failed for good: exit code 1. */
    public static final class CannotStart extends Exception {
        private static final long serialVersionUID = 1L;

        CannotStart(String message) {
            super(message);
        }
    }

    /**
     * The settings of {@code [--config FILE] [--key value ...]}: the file (none: the defaults),
     * then the overrides.
     */
    public static WebSettings settings(String[] args) throws BadArguments, CannotStart {
        Settings.CommandLine line;
        try {
            line = Settings.CommandLine.parse(args);
        } catch (IllegalArgumentException e) {
            throw new BadArguments(e.getMessage());
        }
        if (line.file() != null && !Files.isRegularFile(line.file())) {
            throw new CannotStart(line.file() + ": no such file");
        }
        try {
            return WebSettings.load(line.file(), line.overrides());
        } catch (IllegalArgumentException e) {
            throw new BadArguments(e.getMessage());
        } catch (IOException e) {
            throw new CannotStart(line.file() + ": " + e.getMessage());
        }
    }

    /**
     * Starts the service and runs until SIGTERM or SIGINT, then stops it gracefully and returns.
     *
     * @throws CannotStart when Redis refuses the service for good or the port cannot be bound, with
     *     one sentence naming the cause
     */
    public static void runUntilStopped(WebSettings settings)
            throws CannotStart, InterruptedException {
        GuidanceWebServer server;
        try {
            server = GuidanceWebServer.start(settings);
        } catch (IllegalStateException e) {
            throw new CannotStart(e.getMessage());
        }
        CountDownLatch stop = new CountDownLatch(1);
        // any other way the JVM ends (System.exit elsewhere, SIGHUP) still stops gracefully
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "guidance-web-shutdown"));
        boolean signals = StopSignals.install(stop::countDown);
        LOG.info(
                "Serving until {}",
                signals ? "SIGTERM or Ctrl-C" : "the JVM shuts down (SIGTERM or Ctrl-C)");
        stop.await();
        server.close();
    }

    /**
     * {@code [--config FILE] [--key value ...]} to an exit code, with one line on {@code err} when
     * the service cannot run; {@code name} is what the usage line calls the command.
     */
    static int main(String name, String[] args, PrintStream err) throws InterruptedException {
        try {
            runUntilStopped(settings(args));
            return 0;
        } catch (BadArguments e) {
            err.println(name + ": " + e.getMessage());
            err.println(usage(name));
            return 2;
        } catch (CannotStart e) {
            err.println(name + ": " + e.getMessage());
            return 1;
        }
    }

    /** The usage line, with the service's own settings. */
    public static String usage(String name) {
        return "usage: "
                + name
                + " [--config FILE] [--key value ...]; web settings: "
                + WebSettings.WEB_KEYS.stream().map(Setting::key).collect(Collectors.joining(", "));
    }
}
