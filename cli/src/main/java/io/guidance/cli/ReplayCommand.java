package io.guidance.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.guidance.event.Utf8;
import io.guidance.experiment.ExperimentRecordJson;
import io.guidance.pipeline.JobConfig;
import io.guidance.pipeline.replay.Replay;
import io.guidance.rules.RuleSet;
import io.guidance.trigger.TriggerJson;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code guidance replay}: the production graph over a file of events, bounded and deterministic;
 * every trigger as JSON Lines, and optionally every dead letter and every exposure and conversion
 * of an experiment.
 */
final class ReplayCommand {
    static final String USAGE =
            "guidance replay --events FILE --rules FILE --out FILE"
                    + " [--dead-letters FILE] [--experiments FILE] [--parallelism N] [--max-out-of-orderness 2s] [--dedup-window 1h]";

    static final String DESCRIPTION =
            "run the job over a file of events, bounded and deterministic; triggers as JSON Lines";

    static final String HELP =
            Args.help(
                    DESCRIPTION,
                    USAGE,
                    "--events FILE",
                    "the events, JSON Lines (required)",
                    "--rules FILE",
                    "the rules file (required)",
                    "--out FILE",
                    "where the triggers are written (required)",
                    "--dead-letters FILE",
                    "where bad lines are written, one JSON object each",
                    "--experiments FILE",
                    "where exposures and conversions of experiments are written, JSON Lines",
                    "--parallelism N",
                    "the job's parallelism",
                    "--max-out-of-orderness D",
                    "how late an event may arrive, e.g. 2s",
                    "--dedup-window D",
                    "how long a repeated trigger is suppressed, e.g. 1h");

    private ReplayCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Args a =
                Args.parse(
                        args,
                        1,
                        Set.of(
                                "events",
                                "rules",
                                "out",
                                "dead-letters",
                                "experiments",
                                "parallelism",
                                "max-out-of-orderness",
                                "dedup-window"));
        if (!a.positional().isEmpty()) {
            throw new Args.UsageException("unexpected argument '" + a.positional().get(0) + "'");
        }
        Path events = Args.existingFile(a.required("events"));
        Path rulesFile = Args.existingFile(a.required("rules"));
        Path outFile = Path.of(a.required("out"));
        String deadLettersFile = a.get("dead-letters", null);
        String experimentsFile = a.get("experiments", null);
        JobConfig config;
        try {
            config =
                    JobConfig.of(
                            Map.of(
                                    "job.parallelism",
                                            Integer.toString(a.intOption("parallelism", 2)),
                                    "events.maxOutOfOrderness", a.get("max-out-of-orderness", "2s"),
                                    "events.dedupWindow", a.get("dedup-window", "1h")));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
        RuleSet rules = RulesCommand.load(rulesFile);

        Replay.Outcome outcome = Replay.run(Replay.readRecords(events), rules, config);

        writeLines(outFile, outcome.triggers.stream().map(TriggerJson::toJson).iterator());
        if (deadLettersFile != null) {
            ObjectMapper json = new ObjectMapper();
            writeLines(
                    Path.of(deadLettersFile),
                    outcome.deadLetters.stream()
                            .map(
                                    d -> {
                                        ObjectNode n = json.createObjectNode();
                                        n.put("reason", d.reason)
                                                .put("detail", d.detail)
                                                .put("line", d.sourceOffset);
                                        // the line's exact bytes: as text when they are UTF-8,
                                        // else in Base64, since decoding would replace bad bytes
                                        if (Utf8.firstInvalid(d.raw) < 0) {
                                            n.put(
                                                    "record",
                                                    new String(d.raw, StandardCharsets.UTF_8));
                                        } else {
                                            n.put(
                                                    "recordBase64",
                                                    Base64.getEncoder().encodeToString(d.raw));
                                        }
                                        return n.toString();
                                    })
                            .iterator());
        }

        if (experimentsFile != null) {
            writeLines(
                    Path.of(experimentsFile),
                    outcome.experiments.stream().map(ExperimentRecordJson::toJson).iterator());
        }

        Map<String, Integer> byRule = new TreeMap<>();
        outcome.triggers.forEach(t -> byRule.merge(t.ruleId, 1, Integer::sum));
        Map<String, Integer> byReason = new TreeMap<>();
        outcome.deadLetters.forEach(d -> byReason.merge(d.reason, 1, Integer::sum));
        out.printf(
                "read %d records: %d processed, %d dead letters %s, %d duplicates%n",
                outcome.recordsRead,
                outcome.processed(),
                outcome.deadLetters.size(),
                byReason,
                outcome.duplicates);
        out.printf("%d triggers %s -> %s%n", outcome.triggers.size(), byRule, outFile);
        if (experimentsFile != null) {
            long exposures = outcome.experiments.stream().filter(r -> r.isExposure()).count();
            out.printf(
                    "%d exposures, %d conversions -> %s%n",
                    exposures, outcome.experiments.size() - exposures, experimentsFile);
        }
        return 0;
    }

    private static void writeLines(Path file, java.util.Iterator<String> lines) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            while (lines.hasNext()) {
                w.write(lines.next());
                w.newLine();
            }
        }
    }
}
