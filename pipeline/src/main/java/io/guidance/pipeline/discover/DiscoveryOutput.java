package io.guidance.pipeline.discover;

import io.guidance.discover.Cell;
import io.guidance.discover.CellJson;
import io.guidance.discover.DiscoveryReport;
import io.guidance.discover.Ranking;
import io.guidance.discover.SuggestedRule;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The files of a discovery run, in its output directory: {@code cells.jsonl} (every cell, best
 * first), {@code report.html} and {@code suggested-rules.yaml}.
 */
public final class DiscoveryOutput {
    public static final String CELLS = "cells.jsonl";
    public static final String REPORT = "report.html";
    public static final String RULES = "suggested-rules.yaml";

    private DiscoveryOutput() {}

    /**
     * Writes the three files.
     *
     * @param source what was read, named in the suggested rule's comment
     * @return the best unflagged cell, the one the suggested rule is for
     */
    public static Optional<Cell> write(DiscoveryJob.Result r, Path dir, String source)
            throws IOException {
        Files.createDirectories(dir);
        try (BufferedWriter w =
                Files.newBufferedWriter(dir.resolve(CELLS), StandardCharsets.UTF_8)) {
            for (Cell c : r.ranked()) {
                w.write(CellJson.toJson(c));
                w.write('\n');
            }
        }
        DiscoveryReport.Input input =
                new DiscoveryReport.Input(
                        r.ranked(),
                        r.query().retention(),
                        r.query().retentionFromMs,
                        r.query().retentionToMs,
                        r.query().retainedBy,
                        r.tally().cohort,
                        r.tally().users,
                        r.eventsRead(),
                        r.badLines(),
                        r.tally().end);
        Files.writeString(dir.resolve(REPORT), DiscoveryReport.html(input), StandardCharsets.UTF_8);
        Optional<Cell> best = Ranking.bestUnflagged(r.ranked());
        String retention = r.query().retention();
        Files.writeString(
                dir.resolve(RULES),
                best.map(c -> SuggestedRule.yaml(c, retention, source))
                        .orElseGet(() -> SuggestedRule.none(retention, source)),
                StandardCharsets.UTF_8);
        return best;
    }
}
