package io.guidance.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * The folder a demo run leaves behind, {@code guidance-demo-YYYYMMDD-HHMMSS/}: the run's records as
 * JSON Lines, written as they arrive (so a killed demo still leaves them), the web server's log
 * and, at stop, a summary. Every method is safe to call from any thread.
 */
final class DemoRunFolder implements AutoCloseable {
    static final String AUDIT = "audit.jsonl";
    static final String SHOP_AUDIT = "shop-audit.jsonl";
    static final String EXPERIMENTS = "experiments.jsonl";
    static final String SHOP_EXPERIMENTS = "shop-experiments.jsonl";
    static final String DEAD_LETTERS = "dead-letters.jsonl";
    static final String WEB_LOG = "web.log";
    static final String SUMMARY = "summary.txt";
    static final String RULES = "rules.yaml";

    /** What {@code guidance report} printed over the run; report.html and report.json beside it. */
    static final String REPORT_TEXT = "report.txt";

    /** The loggers of the demo shop's web server: clients can make them warn (a URI too large). */
    static final List<String> WEB_LOGGERS = List.of("org.eclipse.jetty", "io.javalin");

    private static final DateTimeFormatter NAME =
            DateTimeFormatter.ofPattern("'guidance-demo-'yyyyMMdd-HHmmss");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WEB_APPENDER = "guidance-demo-web-log";

    private final Path dir;
    private final Map<String, BufferedWriter> files = new LinkedHashMap<>();
    private boolean closed;
    private boolean webLogRouted;

    private DemoRunFolder(Path dir) {
        this.dir = dir;
    }

    /** Creates {@code parent/guidance-demo-YYYYMMDD-HHMMSS} (with a suffix if that exists). */
    static DemoRunFolder create(Path parent) throws IOException {
        String name = NAME.format(LocalDateTime.now());
        Path dir = parent.resolve(name);
        for (int n = 2; Files.exists(dir); n++) {
            dir = parent.resolve(name + "-" + n);
        }
        Files.createDirectories(dir);
        return new DemoRunFolder(dir);
    }

    Path dir() {
        return dir;
    }

    /** Appends one record (a JSON document) as one line of {@code file}. */
    synchronized void append(String file, byte[] json) {
        append(file, new String(json, StandardCharsets.UTF_8).replace("\n", " "));
    }

    /** A dead letter as one line: its topic, reason, detail and the record as text. */
    void deadLetter(String topic, String reason, String detail, byte[] record) {
        ObjectNode n = JSON.createObjectNode();
        n.put("topic", topic);
        n.put("reason", reason);
        n.put("detail", detail);
        n.put("record", record == null ? null : new String(record, StandardCharsets.UTF_8));
        append(DEAD_LETTERS, n.toString());
    }

    private synchronized void append(String file, String line) {
        if (closed) {
            return;
        }
        try {
            BufferedWriter w = files.get(file);
            if (w == null) {
                w = Files.newBufferedWriter(dir.resolve(file), StandardCharsets.UTF_8);
                files.put(file, w);
            }
            w.write(line);
            w.write('\n');
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Writes what the files hold so far to disk. */
    synchronized void flush() throws IOException {
        for (BufferedWriter w : files.values()) {
            w.flush();
        }
    }

    /**
     * Sends the web server's log, warnings included, to {@link #WEB_LOG} instead of the console,
     * until {@link #close()}: what a client makes the server say is not the demo's output.
     */
    synchronized void routeWebLog() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        FileAppender appender =
                FileAppender.newBuilder()
                        .setName(WEB_APPENDER)
                        .withFileName(dir.resolve(WEB_LOG).toString())
                        .setLayout(
                                PatternLayout.newBuilder()
                                        .withPattern("%d{HH:mm:ss.SSS} %-5p %c{1} - %m%n")
                                        .build())
                        .setConfiguration(config)
                        .build();
        appender.start();
        config.addAppender(appender);
        for (String name : WEB_LOGGERS) {
            LoggerConfig logger =
                    LoggerConfig.newBuilder()
                            .withLoggerName(name)
                            .withLevel(Level.WARN)
                            .withAdditivity(false)
                            .withConfig(config)
                            .build();
            logger.addAppender(appender, null, null);
            config.addLogger(name, logger);
        }
        ctx.updateLoggers();
        webLogRouted = true;
    }

    /** Writes the summary file. */
    synchronized void summary(List<String> lines) throws IOException {
        Files.write(dir.resolve(SUMMARY), lines, StandardCharsets.UTF_8);
    }

    /** Writes a whole file at once. */
    synchronized void write(String file, String text) throws IOException {
        Files.writeString(dir.resolve(file), text, StandardCharsets.UTF_8);
    }

    /** The names of the files in the folder, sorted. */
    List<String> fileNames() throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException failure = null;
        for (BufferedWriter w : files.values()) {
            try {
                w.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        if (webLogRouted) {
            LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
            Configuration config = ctx.getConfiguration();
            for (String name : WEB_LOGGERS) {
                config.removeLogger(name);
            }
            ctx.updateLoggers();
            var appender = config.getAppenders().get(WEB_APPENDER);
            if (appender != null) {
                appender.stop();
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
