package io.guidance.cli;

import io.guidance.config.JobKeys;
import io.guidance.experiment.stats.ArmResult;
import io.guidance.experiment.stats.Comparison;
import io.guidance.experiment.stats.ExperimentResult;
import io.guidance.pipeline.JobConfig;
import io.guidance.pipeline.kafka.RulesTopic;
import io.guidance.pipeline.kafka.TopicSnapshot;
import io.guidance.report.GuidanceReport;
import io.guidance.report.InputLines;
import io.guidance.report.ReportCollector;
import io.guidance.report.ReportFiles;
import io.guidance.report.RuleBacktest;
import io.guidance.rules.PublishedRules;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code guidance report}: what the rules did (a backtest per rule), how the guides fared (the
 * funnel from feedback events) and whether they help (the experiments' results), from files or from
 * a running deployment's topics; {@code report.json} and {@code report.html} in {@code --out}.
 */
final class ReportCommand {
    static final String USAGE =
            "guidance report --triggers FILE --rules FILE --out DIR [--experiments FILE]"
                    + " [--events FILE] | --bootstrap HOST:PORT [--config FILE] [--rules FILE]"
                    + " --out DIR";

    static final String DESCRIPTION =
            "backtest each rule, its guides' funnel and the experiments' results; HTML and JSON";

    static final String HELP =
            Args.help(
                    DESCRIPTION,
                    USAGE,
                    "--triggers FILE",
                    "the triggers, JSON Lines: a replay's output or the audit topic's records",
                    "--rules FILE",
                    "the rules file, for the arms' shares (required with --triggers)",
                    "--out DIR",
                    "where report.json and report.html go (required)",
                    "--experiments FILE",
                    "the exposures and conversions, JSON Lines (SPEC section 7)",
                    "--events FILE",
                    "the events, JSON Lines; their feedback events make the funnel",
                    "--bootstrap HOST:PORT",
                    "read the audit, experiments and events topics of a running job instead",
                    "--config FILE",
                    "the job's settings file, for the topics' names (with --bootstrap)");

    /** How long reading a topic may go without a record before it fails. */
    private static final Duration STALL = Duration.ofSeconds(30);

    private ReportCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Args a =
                Args.parse(
                        args,
                        1,
                        Set.of(
                                "triggers",
                                "experiments",
                                "events",
                                "rules",
                                "out",
                                "bootstrap",
                                "config"));
        if (!a.positional().isEmpty()) {
            throw new Args.UsageException("unexpected argument '" + a.positional().get(0) + "'");
        }
        String triggers = a.get("triggers", null);
        String bootstrap = a.get("bootstrap", null);
        if (triggers == null && bootstrap == null) {
            throw new Args.UsageException("--triggers or --bootstrap is required");
        }
        if (triggers != null && bootstrap != null) {
            throw new Args.UsageException(
                    "--triggers reads files and --bootstrap reads topics: give one of them");
        }
        if (triggers != null) {
            for (String kafkaOnly : new String[] {"config"}) {
                if (a.get(kafkaOnly, null) != null) {
                    throw new Args.UsageException("--" + kafkaOnly + " goes with --bootstrap");
                }
            }
        } else {
            for (String fileOnly : new String[] {"experiments", "events"}) {
                if (a.get(fileOnly, null) != null) {
                    throw new Args.UsageException(
                            "--" + fileOnly + " goes with --triggers; --bootstrap reads topics");
                }
            }
        }
        Path outDir = Path.of(a.required("out"));
        if (triggers != null) {
            a.required("rules");
        }
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
            throw new Args.UsageException(
                    "--out must be a directory, and " + outDir + " is a file");
        }
        // Java2D draws the charts; no display is needed or wanted
        System.setProperty("java.awt.headless", "true");

        ReportCollector collector = new ReportCollector();
        Map<String, String> sources = new LinkedHashMap<>();
        RuleSet rules;
        if (triggers != null) {
            Path triggersFile = Args.existingFile(triggers);
            Path rulesFile = Args.existingFile(a.required("rules"));
            Path experimentsFile = optionalFile(a.get("experiments", null));
            Path eventsFile = optionalFile(a.get("events", null));
            rules = RulesCommand.load(rulesFile);
            readLines(triggersFile, collector::addTriggerLine);
            sources.put("triggers", triggersFile.toString());
            if (experimentsFile != null) {
                readLines(experimentsFile, collector::addRecordLine);
                sources.put("experiments", experimentsFile.toString());
            }
            if (eventsFile != null) {
                readLines(eventsFile, collector::addEventLine);
                sources.put("events", eventsFile.toString());
            }
        } else {
            rules = fromTopics(a, bootstrap, collector, sources, err);
        }

        GuidanceReport report = collector.report(rules);
        ReportFiles.write(report, sources, outDir);

        out.print(table(report));
        out.printf(
                "report -> %s, %s%n",
                outDir.resolve(ReportFiles.JSON), outDir.resolve(ReportFiles.HTML));
        for (InputLines in : report.inputs()) {
            if (in.bad() > 0) {
                err.printf(
                        "report: skipped %d bad %s %s: %s%s%n",
                        in.bad(),
                        in.name,
                        in.bad() == 1 ? "line" : "lines",
                        String.join("; ", in.firstBad()),
                        in.bad() > in.firstBad().size() ? "; ..." : "");
            }
        }
        if (report.unmatchedFeedback() > 0) {
            err.printf(
                    "report: %d feedback events name a trigger id that is not among the"
                            + " triggers (unmatched feedback)%n",
                    report.unmatchedFeedback());
        }
        return 0;
    }

    private static RuleSet fromTopics(
            Args a,
            String bootstrap,
            ReportCollector collector,
            Map<String, String> sources,
            PrintStream err)
            throws Exception {
        String configFile = a.get("config", null);
        Path config = configFile == null ? null : Args.existingFile(configFile);
        Path rulesFile = optionalFile(a.get("rules", null));
        JobConfig settings;
        try {
            settings = JobConfig.load(config, Map.of(JobKeys.KAFKA_BOOTSTRAP.key(), bootstrap));
        } catch (IllegalArgumentException | IOException e) {
            throw new Args.InputException(e.getMessage());
        }
        RulesCommand.checkReachable(bootstrap);
        RuleSet rules;
        if (rulesFile != null) {
            rules = RulesCommand.load(rulesFile);
        } else {
            Optional<PublishedRules> live =
                    RulesTopic.latestValid(bootstrap, settings.rulesTopic(), STALL);
            if (live.isEmpty()) {
                throw new Args.InputException(
                        "the rules topic "
                                + settings.rulesTopic()
                                + " holds no valid rule set: pass --rules FILE");
            }
            rules =
                    RulesParser.parse(
                            live.get().yaml,
                            "version " + live.get().version + " of " + settings.rulesTopic());
        }
        String audit = settings.auditTopic();
        String experiments = settings.get(JobKeys.KAFKA_EXPERIMENTS_TOPIC);
        String events = settings.eventsTopic();
        long n =
                TopicSnapshot.read(
                        bootstrap,
                        audit,
                        STALL,
                        (p, o, v) -> collector.addTriggerLine(v, where(p, o)));
        note(err, audit, n);
        sources.put("triggers", "topic " + audit);
        n =
                TopicSnapshot.read(
                        bootstrap,
                        experiments,
                        STALL,
                        (p, o, v) -> collector.addRecordLine(v, where(p, o)));
        note(err, experiments, n);
        sources.put("experiments", "topic " + experiments);
        n =
                TopicSnapshot.read(
                        bootstrap,
                        events,
                        STALL,
                        (p, o, v) -> collector.addEventLine(v, where(p, o)));
        note(err, events, n);
        sources.put("events", "topic " + events);
        return rules;
    }

    private static void note(PrintStream err, String topic, long records) {
        if (records < 0) {
            err.printf("report: topic %s does not exist; read as empty%n", topic);
        } else {
            err.printf(Locale.ROOT, "report: read %,d records of %s%n", records, topic);
        }
    }

    private static String where(int partition, long offset) {
        return "partition " + partition + " offset " + offset;
    }

    private static Path optionalFile(String path) throws Args.InputException {
        return path == null ? null : Args.existingFile(path);
    }

    private interface LineHandler {
        void accept(byte[] line, String where);
    }

    /**
     * Every non-blank line of a file as bytes, with its number from 1: decoding is left to the
     * handler, so that a line that is not UTF-8 is one bad line, not the end of the file.
     */
    private static void readLines(Path file, LineHandler handler) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(512);
            long number = 1;
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    emit(line, number++, handler);
                } else {
                    line.write(b);
                }
            }
            emit(line, number, handler);
        }
    }

    private static void emit(ByteArrayOutputStream line, long number, LineHandler handler) {
        byte[] bytes = line.toByteArray();
        line.reset();
        int length = bytes.length;
        if (length > 0 && bytes[length - 1] == '\r') {
            length--;
        }
        boolean blank = true;
        for (int i = 0; i < length && blank; i++) {
            blank = bytes[i] == ' ' || bytes[i] == '\t';
        }
        if (!blank) {
            handler.accept(
                    length == bytes.length ? bytes : Arrays.copyOf(bytes, length),
                    "line " + number);
        }
    }

    /** Per experiment its arms and comparisons, per rule its triggers by status and reach. */
    static String table(GuidanceReport report) {
        StringBuilder t = new StringBuilder();
        for (ExperimentResult r : report.experiments()) {
            // the arm column as wide as the longest arm name, so the numbers line up
            int width = 16;
            for (ArmResult a : r.arms()) {
                width = Math.max(width, a.arm().length());
            }
            String row = "  %-" + width + "s %9s %9s %7s %8s %-24s %7s %s%n";
            t.append(
                    String.format(
                            Locale.ROOT,
                            "experiment %s (salt %s)%s%s%n",
                            r.experiment(),
                            r.salt(),
                            report.experimentsNotInRules()
                                            .contains(r.experiment() + " (salt " + r.salt() + ")")
                                    ? "  not in the rules file: shares unknown"
                                    : "",
                            r.srm()
                                    ? String.format(
                                            Locale.ROOT,
                                            "  SAMPLE RATIO MISMATCH (p = %.2g): do not trust",
                                            r.srmPValue())
                                    : ""));
            t.append(
                    String.format(
                            Locale.ROOT,
                            row,
                            "arm",
                            "exposed",
                            "converted",
                            "rate",
                            "diff",
                            "ci95",
                            "p",
                            "significant"));
            for (ArmResult arm : r.arms()) {
                Comparison c =
                        r.comparisons().stream()
                                .filter(x -> x.arm().equals(arm.arm()))
                                .findFirst()
                                .orElse(null);
                t.append(
                        String.format(
                                Locale.ROOT,
                                row,
                                arm.arm(),
                                arm.exposed(),
                                arm.converted(),
                                arm.rate() == null
                                        ? "-"
                                        : String.format(Locale.ROOT, "%.1f%%", 100 * arm.rate()),
                                c == null ? "" : pp(c.diff()),
                                c == null || c.ci95() == null
                                        ? ""
                                        : "[" + pp(c.ci95()[0]) + ", " + pp(c.ci95()[1]) + "]",
                                c == null || c.pValue() == null
                                        ? ""
                                        : String.format(Locale.ROOT, "%.3f", c.pValue()),
                                c == null ? "" : c.significant() ? "yes" : "no"));
            }
        }
        for (RuleBacktest b : report.rules()) {
            StringBuilder statuses = new StringBuilder();
            b.byStatus()
                    .forEach(
                            (s, n) ->
                                    statuses.append(statuses.length() == 0 ? "" : ", ")
                                            .append(s)
                                            .append(' ')
                                            .append(n));
            t.append(
                    String.format(
                            Locale.ROOT,
                            "rule %s: %d triggers%s, %d users reached%n",
                            b.ruleId(),
                            b.triggers(),
                            statuses.length() == 0 ? "" : " (" + statuses + ")",
                            b.usersReached()));
        }
        return t.toString();
    }

    /** A difference of rates in percentage points: "+2.00pp". */
    private static String pp(double diff) {
        return String.format(Locale.ROOT, "%+.2fpp", 100 * diff);
    }
}
