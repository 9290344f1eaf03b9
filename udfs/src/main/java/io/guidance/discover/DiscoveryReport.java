package io.guidance.discover;

import static io.guidance.discover.ReportFormat.ABSENT;
import static io.guidance.discover.ReportFormat.count;
import static io.guidance.discover.ReportFormat.days;
import static io.guidance.discover.ReportFormat.escape;
import static io.guidance.discover.ReportFormat.fact;
import static io.guidance.discover.ReportFormat.percent0;
import static io.guidance.discover.ReportFormat.percent1;
import static io.guidance.discover.ReportFormat.phi;
import static io.guidance.discover.ReportFormat.threshold;
import static io.guidance.discover.ReportFormat.times;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The HTML report of a discovery run (SPEC section 8): what was asked, the best threshold in one
 * sentence, the ranking with bands and flags, a heat map of phi per action and the retention of
 * users above and below the best thresholds.
 *
 * <p>One self-contained page: inline CSS and SVG, no script, nothing fetched, so that it opens from
 * disk and can be mailed. Every string from the data (action names, the retention type) is escaped.
 * The page is also well-formed XML, so that a plain XML parser reads it.
 *
 * <p>This class writes the page, its header, the ranking table, the notes and the footer; {@link
 * PhiHeatMaps} and {@link RetentionBars} write the charts.
 */
public final class DiscoveryReport {
    /** Rows of the ranking table. */
    static final int TOP = 25;

    private static final long DAY_MS = 86_400_000L;
    private static final DateTimeFormatter END_FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
                    .withZone(ZoneOffset.UTC);

    /**
     * What a run found and how it was asked: ranked = every cell, best first (ranking order of SPEC
     * section 8).
     */
    public record Input(
            List<Cell> ranked,
            String retention /* e.g. "30d-365d" */,
            long fromMs,
            long toMs,
            String retainedBy /* null = any type */,
            long cohortUsers,
            long usersRead,
            long eventsRead,
            long badLines,
            long endTs) {}

    private DiscoveryReport() {}

    /** The report as one HTML page; the ranking is taken in the order given. */
    public static String html(Input input) {
        List<Cell> ranked = input.ranked() == null ? List.of() : input.ranked();
        double scale = PhiColours.scale(ranked);
        StringBuilder out = new StringBuilder(64 * 1024);
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                .append(
                        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
                .append("<title>Discovery: where is the magic number?</title>\n<style>")
                .append(ReportStyle.CSS)
                .append("</style>\n</head>\n<body>\n");
        PhiHeatMaps.definitions(out, scale);
        header(out, input, ranked);
        if (!ranked.isEmpty()) {
            ranking(out, ranked);
            PhiHeatMaps.section(out, ranked, scale);
            RetentionBars.section(out, ranked, input);
        }
        howToRead(out, input);
        footer(out, input, ranked);
        out.append("</body>\n</html>\n");
        return out.toString();
    }

    // ---- sections

    private static void header(StringBuilder out, Input input, List<Cell> ranked) {
        out.append("<header>\n<h1>Where is the magic number?</h1>\n")
                .append(
                        "<p class=\"lede\">Each cell asks: did a user do an action at least N times")
                .append(" in their first D days? Cells are ranked by how well that predicts")
                .append(" retention (phi).</p>\n<dl class=\"asked\">\n");
        fact(out, "Retained when", retentionRule(input), true);
        fact(out, "Cohort", count(input.cohortUsers()) + " users");
        fact(out, "Users read", count(input.usersRead()));
        fact(out, "Events read", count(input.eventsRead()));
        fact(
                out,
                "Bad lines",
                count(input.badLines()) + (input.badLines() > 0 ? " (skipped)" : ""));
        fact(out, "End of data", escape(END_FORMAT.format(Instant.ofEpochMilli(input.endTs()))));
        out.append("</dl>\n");
        Cell best = firstUnflagged(ranked);
        out.append("<p class=\"verdict\">");
        if (ranked.isEmpty()) {
            out.append("No cells: there was nothing to rank.");
        } else if (best == null) {
            out.append("Every threshold is flagged: each is done by fewer than 5% or more than 95%")
                    .append(" of the cohort, so none is a useful rule.");
        } else {
            out.append("Users who did <b>")
                    .append(escape(best.action()))
                    .append("</b> at least ")
                    .append(times(best.count()))
                    .append(" in their first ")
                    .append(days(best.days()))
                    .append(" were retained ")
                    .append(percent0(best.retentionAbove()))
                    .append(" vs ")
                    .append(percent0(best.retentionBelow()))
                    .append(": phi ")
                    .append(phi(best.phi()))
                    .append(", ")
                    .append(badge(best.band()))
                    .append('.');
        }
        out.append("</p>\n");
        if (best != null) {
            out.append("<p class=\"note\">")
                    .append(percent0(best.shareAbove()))
                    .append(" of the cohort did it. The best threshold that is not flagged; ")
                    .append("correlation, not proof that the action causes retention.</p>\n");
        }
        out.append("</header>\n");
    }

    private static void ranking(StringBuilder out, List<Cell> ranked) {
        int shown = Math.min(TOP, ranked.size());
        out.append("<section id=\"ranking\">\n<h2>Ranking</h2>\n<p class=\"note\">The top ")
                .append(shown)
                .append(" of ")
                .append(count(ranked.size()))
                .append(" cells, by phi (ties: fewer days, then fewer times, then action name).")
                .append("</p>\n<div class=\"scroll\">\n<table class=\"ranking\">\n<thead><tr>")
                .append("<th>#</th><th class=\"text\">Action</th><th class=\"text\">Threshold</th>")
                .append("<th>phi</th><th class=\"text\">Band</th><th>Share above</th>")
                .append("<th>Retained above</th><th>Retained below</th><th>PPV</th>")
                .append("<th>Sensitivity</th><th>Specificity</th><th>NPV</th>")
                .append("<th class=\"text\">Flag</th></tr></thead>\n<tbody>\n");
        for (int i = 0; i < shown; i++) {
            Cell c = ranked.get(i);
            out.append("<tr data-rank=\"")
                    .append(i + 1)
                    .append('"')
                    .append(c.flagged() ? " class=\"flagged\"" : "")
                    .append("><td>")
                    .append(i + 1)
                    .append("</td><td class=\"text action\">")
                    .append(escape(c.action()))
                    .append("</td><td class=\"text threshold\">")
                    .append(threshold(c))
                    .append("</td><td class=\"phi\">")
                    .append(phi(c.phi()))
                    .append("</td><td class=\"text band\">")
                    .append(badge(c.band()))
                    .append("</td><td class=\"share\" title=\"")
                    .append(count(c.n11() + c.n10()))
                    .append(" of ")
                    .append(count(c.users()))
                    .append(" users\">")
                    .append(percent1(c.shareAbove()))
                    .append("</td><td>")
                    .append(percent1(c.retentionAbove()))
                    .append("</td><td>")
                    .append(percent1(c.retentionBelow()))
                    .append("</td><td>")
                    .append(percent1(c.ppv()))
                    .append("</td><td>")
                    .append(percent1(c.sensitivity()))
                    .append("</td><td>")
                    .append(percent1(c.specificity()))
                    .append("</td><td>")
                    .append(percent1(c.npv()))
                    .append("</td><td class=\"text\">");
            if (c.flagged()) {
                out.append("<span class=\"flag\" title=\"fewer than 5% or more than 95% of the")
                        .append(" cohort are above\">\u2691 ")
                        .append(c.shareAbove() < 0.05 ? "too rare" : "too common")
                        .append("</span>");
            }
            out.append("</td></tr>\n");
        }
        out.append("</tbody>\n</table>\n</div>\n</section>\n");
    }

    private static void howToRead(StringBuilder out, Input input) {
        out.append("<section id=\"how-to-read\">\n<h2>How to read this</h2>\n<ul>\n")
                .append("<li><b>phi</b> is the correlation between being above the threshold")
                .append(" and being retained, from \u22121 to 1: 0 means no relation, 1 means")
                .append(" exactly the users above were retained, below 0 means those above left")
                .append(" more often. It is correlation, not proof that the action causes")
                .append(" retention.</li>\n<li><b>Bands</b>: ")
                .append(badge(Cell.Band.HIGHLY_PREDICTIVE))
                .append(" phi \u2265 0.4, ")
                .append(badge(Cell.Band.MODERATE))
                .append(" \u2265 0.3, ")
                .append(badge(Cell.Band.SLIGHT))
                .append(" \u2265 0.2, ")
                .append(badge(Cell.Band.NOT_PREDICTIVE))
                .append(" below.</li>\n")
                .append("<li><b>\u2691 Flagged</b>: fewer than 5% (too rare) or more than 95%")
                .append(" (too common) of the cohort are above the threshold; a rule built on it")
                .append(" would reach almost nobody or almost everybody.</li>\n")
                .append("<li><b>Retained</b>: ")
                .append(retentionRule(input))
                .append(". The cohort is the users first seen early enough for that whole")
                .append(" window to lie within the data.</li>\n")
                .append("<li><b>PPV</b> is the retention of the users above (= retained above);")
                .append(" <b>NPV</b> the share of users below who were not retained")
                .append(" (= 1 \u2212 retained below); <b>sensitivity</b> the share of retained")
                .append(" users who were above; <b>specificity</b> the share of users not")
                .append(" retained who were below. ")
                .append(ABSENT)
                .append(" marks a figure with no users to divide by.</li>\n</ul>\n</section>\n");
    }

    private static void footer(StringBuilder out, Input input, List<Cell> ranked) {
        TreeSet<String> actions = new TreeSet<>();
        TreeSet<Integer> counts = new TreeSet<>();
        TreeSet<Integer> days = new TreeSet<>();
        for (Cell c : ranked) {
            actions.add(c.action());
            counts.add(c.count());
            days.add(c.days());
        }
        out.append("<footer>\n<h2>Parameters</h2>\n<dl class=\"parameters\">\n");
        fact(
                out,
                "Retention",
                escape(input.retention())
                        + " ("
                        + input.fromMs()
                        + "\u2013"
                        + input.toMs()
                        + " ms)",
                true);
        fact(
                out,
                "Retained by",
                input.retainedBy() == null ? "any event type" : escape(input.retainedBy()));
        fact(out, "Actions", actions.isEmpty() ? ABSENT : escape(String.join(", ", actions)));
        fact(out, "Counts (N)", counts.isEmpty() ? ABSENT : runs(counts));
        fact(out, "Days (D)", days.isEmpty() ? ABSENT : runs(days));
        fact(out, "Cells", count(ranked.size()));
        fact(out, "Cohort users", count(input.cohortUsers()));
        fact(out, "Users read", count(input.usersRead()));
        fact(out, "Events read", count(input.eventsRead()));
        fact(out, "Bad lines", count(input.badLines()));
        fact(
                out,
                "End of data",
                escape(END_FORMAT.format(Instant.ofEpochMilli(input.endTs())))
                        + " (ts "
                        + input.endTs()
                        + ")",
                true);
        out.append("</dl>\n<p class=\"note\">Made by <code>guidance discover</code>; the")
                .append(" definitions are those of SPEC section 8.</p>\n</footer>\n");
    }

    // ---- pieces

    private static String badge(Cell.Band band) {
        String kind =
                switch (band) {
                    case HIGHLY_PREDICTIVE -> "highly";
                    case MODERATE -> "moderate";
                    case SLIGHT -> "slight";
                    case NOT_PREDICTIVE -> "none";
                };
        return "<span class=\"badge " + kind + "\">" + band.label + "</span>";
    }

    /** When a user counts as retained, escaped for the page: "any event on days 31–365 …". */
    static String retentionRule(Input input) {
        return escape(retainedBy(input)) + " " + escape(window(input));
    }

    private static String retainedBy(Input input) {
        return input.retainedBy() == null
                ? "any event"
                : "an event of type \u201c" + input.retainedBy() + "\u201d";
    }

    /** The retention window in the words of a data person: "on days 31-365 after the first". */
    private static String window(Input input) {
        long from = input.fromMs();
        long to = input.toMs();
        if (from % DAY_MS == 0 && to % DAY_MS == 0) {
            long first = from / DAY_MS + 1;
            long last = to / DAY_MS;
            return first == last
                    ? "on day " + first + " after their first event"
                    : "on days " + first + "\u2013" + last + " after their first event";
        }
        return "between " + duration(from) + " and " + duration(to) + " after their first event";
    }

    private static String duration(long ms) {
        if (ms % DAY_MS == 0) {
            return ms / DAY_MS + " d";
        } else if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + " h";
        } else if (ms % 60_000 == 0) {
            return ms / 60_000 + " min";
        } else if (ms % 1000 == 0) {
            return ms / 1000 + " s";
        }
        return ms + " ms";
    }

    /** "1\u20135" for a run, "1, 7, 14, 30" otherwise. */
    private static String runs(TreeSet<Integer> values) {
        List<String> parts = new ArrayList<>();
        Integer start = null;
        Integer previous = null;
        for (int v : values) {
            if (previous != null && v == previous + 1) {
                previous = v;
                continue;
            }
            if (start != null) {
                parts.add(run(start, previous));
            }
            start = v;
            previous = v;
        }
        if (start != null) {
            parts.add(run(start, previous));
        }
        return String.join(", ", parts);
    }

    private static String run(int start, int end) {
        if (start == end) {
            return Integer.toString(start);
        }
        return end == start + 1 ? start + ", " + end : start + "\u2013" + end;
    }

    static Cell firstUnflagged(List<Cell> cells) {
        for (Cell c : cells) {
            if (!c.flagged()) {
                return c;
            }
        }
        return null;
    }
}
