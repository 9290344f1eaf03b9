package io.guidance.cli;

import io.guidance.discover.Cell;
import io.guidance.discover.DiscoveryQuery;
import io.guidance.discover.SuggestedRule;
import io.guidance.pipeline.discover.DiscoveryJob;
import io.guidance.pipeline.discover.DiscoveryOutput;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * {@code guidance discover}: which "did A at least N times in the first D days" predicts retention
 * (SPEC section 8), as a Flink batch job on a local MiniCluster; the ranking's top printed, the
 * cells, the report and a suggested rule written to {@code --out}.
 */
final class DiscoverCommand {
    static final String USAGE =
            "guidance discover --events FILE|DIR --out DIR [--retention 7d-14d] [--counts 1-10]"
                    + " [--days 1,7,14,30] [--actions A,B] [--retained-by TYPE] [--top 10]"
                    + " [--parallelism 2]";

    static final String DESCRIPTION =
            "rank \"did A at least N times in D days\" against retention; suggest a threshold rule";

    static final String HELP =
            Args.help(
                    DESCRIPTION,
                    USAGE,
                    "--events FILE|DIR",
                    "the events, JSON Lines, or a directory of them (required)",
                    "--out DIR",
                    "where the cells, report and suggested rule go (required)",
                    "--retention FROM-TO",
                    "the window that counts as retained (default 7d-14d)",
                    "--counts LIST",
                    "the thresholds N to try (default 1-10)",
                    "--days LIST",
                    "the first-days windows D to try (default 1,7,14,30)",
                    "--actions A,B",
                    "the event types to count (default: all but feedback)",
                    "--retained-by TYPE",
                    "the event type that counts as coming back (default: any)",
                    "--top K",
                    "how many candidates to report (default 10)",
                    "--parallelism N",
                    "the job's parallelism (default 2)");

    private DiscoverCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Args a =
                Args.parse(
                        args,
                        1,
                        Set.of(
                                "events",
                                "out",
                                "retention",
                                "counts",
                                "days",
                                "actions",
                                "retained-by",
                                "top",
                                "parallelism"));
        if (!a.positional().isEmpty()) {
            throw new Args.UsageException("unexpected argument '" + a.positional().get(0) + "'");
        }
        String events = a.required("events");
        Path outDir = Path.of(a.required("out"));
        int top = a.intOption("top", 10);
        int parallelism = a.intOption("parallelism", 2);
        if (top < 1) {
            throw new Args.UsageException("--top must be at least 1, not " + top);
        }
        if (parallelism < 1) {
            throw new Args.UsageException("--parallelism must be at least 1, not " + parallelism);
        }
        DiscoveryQuery query;
        try {
            query =
                    DiscoveryQuery.of(
                            a.get("retention", null),
                            a.get("counts", null),
                            a.get("days", null),
                            a.get("actions", null),
                            a.get("retained-by", null));
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
        Path in = Path.of(events);
        if (!Files.isRegularFile(in) && !Files.isDirectory(in)) {
            throw new Args.InputException(Args.noSuchFile(events));
        }
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
            throw new Args.UsageException(
                    "--out must be a directory, and " + outDir + " is a file");
        }

        err.println("discover: " + query + " over " + events);
        long[] shown = {-1, -1};
        DiscoveryJob.Result r =
                DiscoveryJob.run(
                        in.toAbsolutePath().toString(),
                        query,
                        parallelism,
                        p -> {
                            boolean started = p.eventsRead() + p.badLines() > 0;
                            if (started
                                    && (p.eventsRead() != shown[0] || p.usersRead() != shown[1])) {
                                shown[0] = p.eventsRead();
                                shown[1] = p.usersRead();
                                err.printf(
                                        Locale.ROOT,
                                        "discover: read %,d events (%,d bad lines), %,d users%n",
                                        p.eventsRead(),
                                        p.badLines(),
                                        p.usersRead());
                            }
                        });
        if (r.tally().users == 0) {
            throw new Args.InputException(
                    "no events in " + events + " (" + r.badLines() + " bad lines)");
        }
        if (!r.unknownActions().isEmpty()) {
            throw new Args.UsageException(
                    "--actions names "
                            + String.join(", ", r.unknownActions())
                            + ", but the input has no events of "
                            + (r.unknownActions().size() == 1 ? "that type" : "those types")
                            + "; it has "
                            + String.join(", ", sorted(r.tally().actions)));
        }
        if (r.tally().cohort == 0) {
            throw new Args.UsageException(
                    "the cohort is empty: no user was first seen at least "
                            + query.retention().substring(query.retention().indexOf('-') + 1)
                            + " before the last event ("
                            + Instant.ofEpochMilli(r.tally().end)
                            + "); choose a shorter --retention");
        }
        Optional<Cell> best = DiscoveryOutput.write(r, outDir, events);

        out.printf(
                Locale.ROOT,
                "%,d events, %,d users, cohort %,d (%.1f%% retained in %s), end %s, %.1f s%n",
                r.eventsRead(),
                r.tally().users,
                r.tally().cohort,
                100.0 * r.tally().retained / r.tally().cohort,
                query.retention(),
                Instant.ofEpochMilli(r.tally().end),
                r.elapsedMs() / 1000.0);
        out.print(table(r.ranked(), top));
        out.printf(
                "%d cells -> %s, report -> %s%n",
                r.ranked().size(),
                outDir.resolve(DiscoveryOutput.CELLS),
                outDir.resolve(DiscoveryOutput.REPORT));
        if (best.isPresent()) {
            Cell c = best.get();
            out.printf(
                    Locale.ROOT,
                    "suggested rule %s (%s at least %d times in the first %d days) -> %s%n",
                    SuggestedRule.ruleId(c),
                    c.action(),
                    c.count(),
                    c.days(),
                    outDir.resolve(DiscoveryOutput.RULES));
        } else {
            out.println(
                    "no suggested rule: every cell is flagged (fewer than 5% or more than 95% above)");
        }
        if (r.badLines() > 0) {
            err.printf("discover: skipped %d bad lines%n", r.badLines());
        }
        return 0;
    }

    /** The top {@code k} of the ranking as an aligned table. */
    static String table(List<Cell> ranked, int k) {
        int actionWidth = "action".length();
        for (Cell c : ranked.subList(0, Math.min(k, ranked.size()))) {
            actionWidth = Math.max(actionWidth, c.action().length());
        }
        String row = "%4s  %-" + actionWidth + "s  %3s  %3s  %7s  %-17s  %6s  %9s  %9s  %s%n";
        StringBuilder t = new StringBuilder();
        t.append(
                String.format(
                        Locale.ROOT,
                        row,
                        "rank",
                        "action",
                        "N",
                        "D",
                        "phi",
                        "band",
                        "above",
                        "ret.above",
                        "ret.below",
                        "flag"));
        for (int i = 0; i < Math.min(k, ranked.size()); i++) {
            Cell c = ranked.get(i);
            t.append(
                    String.format(
                            Locale.ROOT,
                            row,
                            i + 1,
                            c.action(),
                            c.count(),
                            c.days(),
                            String.format(Locale.ROOT, "%.3f", c.phi()),
                            c.band().label,
                            percent(c.shareAbove()),
                            percent(c.retentionAbove()),
                            percent(c.retentionBelow()),
                            c.flagged() ? (c.shareAbove() < 0.05 ? "rare" : "common") : ""));
        }
        return t.toString();
    }

    private static String percent(Double share) {
        return share == null ? "-" : String.format(Locale.ROOT, "%.1f%%", share * 100);
    }

    private static List<String> sorted(String[] names) {
        return java.util.Arrays.stream(names).sorted().toList();
    }
}
