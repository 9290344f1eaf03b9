package io.guidance.cli;

import io.guidance.web.ServeProcess;
import io.guidance.web.WebSettings;
import java.util.Arrays;

/**
 * {@code guidance serve}: the HTTP service (event collector, trigger API, {@code guidance.js})
 * against the configured Kafka and Redis, until SIGTERM or Ctrl-C; the same code as the image's
 * {@code io.guidance.web.GuidanceWebServer} and as the demo's shop.
 */
final class ServeCommand {
    static final String USAGE = "guidance serve [--config FILE] [--key value ...]";

    static final String DESCRIPTION =
            "run the HTTP service (collector, trigger API, guidance.js) until stopped";

    static final String HELP =
            Args.help(
                            DESCRIPTION,
                            USAGE,
                            "--config FILE",
                            "the settings file, the job's own (default: none, built-in defaults)",
                            "--KEY VALUE",
                            "one setting, over the file's, e.g. --web.port 8081 or --kafka.bootstrap h:9092")
                    + "\n\nGET /healthz answers 200 while the process serves; GET /readyz 503 while"
                    + " Kafka or Redis is down or the service is stopping.\nSIGTERM stops gracefully"
                    + " within web.shutdownGrace. See docs/service.md.\n"
                    + ServeProcess.usage("guidance serve").replaceFirst("^usage: [^;]*; ", "");

    private ServeCommand() {}

    static int run(String[] args, java.io.PrintStream out, java.io.PrintStream err)
            throws Args.UsageException, Args.InputException, InterruptedException {
        WebSettings settings;
        try {
            settings = ServeProcess.settings(Arrays.copyOfRange(args, 1, args.length));
        } catch (ServeProcess.BadArguments e) {
            throw new Args.UsageException(e.getMessage());
        } catch (ServeProcess.CannotStart e) {
            throw new Args.InputException(e.getMessage());
        }
        try {
            ServeProcess.runUntilStopped(settings);
        } catch (ServeProcess.CannotStart e) {
            throw new Args.InputException(e.getMessage());
        }
        return 0;
    }
}
