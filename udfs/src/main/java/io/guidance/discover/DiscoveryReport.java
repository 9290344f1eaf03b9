package io.guidance.discover;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The HTML report of a discovery run (SPEC section 8): what was asked, the best threshold in one
 * sentence, the ranking with bands and flags, a heat map of phi per action and the retention of
 * users above and below the best thresholds.
 *
 * <p>One self-contained page: inline CSS and SVG, no script, nothing fetched, so that it opens from
 * disk and can be mailed. Every string from the data (action names, the retention type) is escaped.
 * The page is also well-formed XML, so that a plain XML parser reads it.
 */
public final class DiscoveryReport {
    /** Rows of the ranking table. */
    static final int TOP = 25;

    /** Unflagged cells whose retention above and below is drawn as paired bars. */
    static final int BARS = 5;

    /** Shown for a figure whose denominator is 0. */
    static final String ABSENT = "\u2013";

    private static final long DAY_MS = 86_400_000L;
    private static final DateTimeFormatter END_FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
                    .withZone(ZoneOffset.UTC);

    /** ColorBrewer's PRGn, from 0 outwards: green for positive phi, purple for negative. */
    private static final int[] POSITIVE = {0xf7f7f7, 0xd9f0d3, 0xa6dba0, 0x5aae61, 0x1b7837};

    private static final int[] NEGATIVE = {0xf7f7f7, 0xe7d4e8, 0xc2a5cf, 0x9970ab, 0x762a83};

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
        double scale = scale(ranked);
        StringBuilder out = new StringBuilder(64 * 1024);
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                .append(
                        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
                .append("<title>Discovery: where is the magic number?</title>\n<style>")
                .append(CSS)
                .append("</style>\n</head>\n<body>\n");
        definitions(out, scale);
        header(out, input, ranked);
        if (!ranked.isEmpty()) {
            ranking(out, ranked);
            heatMaps(out, ranked, scale);
            retentionBars(out, ranked, input);
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
        fact(out, "Retained when", escape(retainedBy(input)) + " " + escape(window(input)), true);
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

    private static void heatMaps(StringBuilder out, List<Cell> ranked, double scale) {
        // actions in the order of their best cell, so the most predictive comes first
        Map<String, List<Cell>> byAction = new LinkedHashMap<>();
        for (Cell c : ranked) {
            byAction.computeIfAbsent(c.action(), a -> new ArrayList<>()).add(c);
        }
        out.append("<section id=\"heatmaps\">\n<h2>phi by threshold, per action</h2>\n")
                .append("<p class=\"note\">Rows: at least N times; columns: in the first D days.")
                .append(" Green predicts retention, purple predicts leaving.</p>\n");
        legend(out, scale);
        out.append("<div class=\"maps\">\n");
        for (Map.Entry<String, List<Cell>> e : byAction.entrySet()) {
            heatMap(out, e.getKey(), e.getValue(), scale);
        }
        out.append("</div>\n</section>\n");
    }

    private static void heatMap(StringBuilder out, String action, List<Cell> cells, double scale) {
        TreeSet<Integer> counts = new TreeSet<>();
        TreeSet<Integer> days = new TreeSet<>();
        Map<Long, Cell> grid = new HashMap<>();
        for (Cell c : cells) {
            counts.add(c.count());
            days.add(c.days());
            grid.putIfAbsent(key(c.count(), c.days()), c);
        }
        Cell best = firstUnflagged(cells);
        if (best == null) {
            best = cells.get(0);
        }
        List<Integer> rows = new ArrayList<>(counts);
        List<Integer> columns = new ArrayList<>(days);
        int cellWidth = columns.size() <= 8 ? 56 : Math.max(38, 448 / columns.size());
        int cellHeight = 30;
        int left = 66;
        int top = 46;
        int width = left + columns.size() * cellWidth + 10;
        int height = top + rows.size() * cellHeight + 10;
        String name = escape(action);
        out.append("<figure class=\"map\">\n<figcaption>")
                .append(name)
                .append("</figcaption>\n<svg class=\"heatmap\" data-action=\"")
                .append(name)
                .append("\" width=\"")
                .append(width)
                .append("\" height=\"")
                .append(height)
                .append("\" viewBox=\"0 0 ")
                .append(width)
                .append(' ')
                .append(height)
                .append("\" role=\"img\"><title>phi of ")
                .append(name)
                .append(" by N and D</title>\n");
        int gridWidth = columns.size() * cellWidth;
        out.append("<text class=\"axis\" x=\"")
                .append(left + gridWidth / 2)
                .append("\" y=\"14\" text-anchor=\"middle\">in the first D days</text>\n")
                .append("<text class=\"axis\" text-anchor=\"middle\" transform=\"translate(14,")
                .append(top + rows.size() * cellHeight / 2)
                .append(") rotate(-90)\">at least N times</text>\n");
        for (int j = 0; j < columns.size(); j++) {
            out.append("<text class=\"tick\" x=\"")
                    .append(left + j * cellWidth + cellWidth / 2)
                    .append("\" y=\"")
                    .append(top - 8)
                    .append("\" text-anchor=\"middle\">")
                    .append(columns.get(j))
                    .append(" d</text>\n");
        }
        for (int i = 0; i < rows.size(); i++) {
            out.append("<text class=\"tick\" x=\"")
                    .append(left - 8)
                    .append("\" y=\"")
                    .append(top + i * cellHeight + cellHeight / 2 + 4)
                    .append("\" text-anchor=\"end\">\u2265 ")
                    .append(rows.get(i))
                    .append("</text>\n");
        }
        int bestX = 0;
        int bestY = 0;
        for (int i = 0; i < rows.size(); i++) {
            for (int j = 0; j < columns.size(); j++) {
                int x = left + j * cellWidth;
                int y = top + i * cellHeight;
                Cell c = grid.get(key(rows.get(i), columns.get(j)));
                if (c == null) {
                    out.append("<rect class=\"missing\" x=\"")
                            .append(x)
                            .append("\" y=\"")
                            .append(y)
                            .append("\" width=\"")
                            .append(cellWidth)
                            .append("\" height=\"")
                            .append(cellHeight)
                            .append("\"/>\n");
                    continue;
                }
                if (c == best) {
                    bestX = x;
                    bestY = y;
                }
                int fill = color(c.phi(), scale);
                out.append("<g class=\"cell")
                        .append(c.flagged() ? " flagged" : "")
                        .append("\" data-count=\"")
                        .append(c.count())
                        .append("\" data-days=\"")
                        .append(c.days())
                        .append("\"><title>")
                        .append(name)
                        .append(' ')
                        .append(threshold(c))
                        .append(": phi ")
                        .append(phi(c.phi()))
                        .append(", ")
                        .append(c.band().label)
                        .append(", ")
                        .append(percent1(c.shareAbove()))
                        .append(" above")
                        .append(c.flagged() ? ", flagged" : "")
                        .append("</title><rect x=\"")
                        .append(x)
                        .append("\" y=\"")
                        .append(y)
                        .append("\" width=\"")
                        .append(cellWidth)
                        .append("\" height=\"")
                        .append(cellHeight)
                        .append("\" fill=\"")
                        .append(hex(fill))
                        .append("\"/>");
                if (c.flagged()) {
                    out.append("<rect x=\"")
                            .append(x)
                            .append("\" y=\"")
                            .append(y)
                            .append("\" width=\"")
                            .append(cellWidth)
                            .append("\" height=\"")
                            .append(cellHeight)
                            .append("\" fill=\"url(#flag-hatch)\"/>");
                }
                out.append("<text x=\"")
                        .append(x + cellWidth / 2)
                        .append("\" y=\"")
                        .append(y + cellHeight / 2 + 4)
                        .append("\" text-anchor=\"middle\" fill=\"")
                        .append(dark(fill) ? "#ffffff" : "#1a1a1a")
                        .append("\">")
                        .append(phi(c.phi()))
                        .append("</text></g>\n");
            }
        }
        out.append("<rect class=\"best\" x=\"")
                .append(bestX + 1.5)
                .append("\" y=\"")
                .append(bestY + 1.5)
                .append("\" width=\"")
                .append(cellWidth - 3)
                .append("\" height=\"")
                .append(cellHeight - 3)
                .append("\"/>\n</svg>\n</figure>\n");
    }

    /** The colour scale shared by all heat maps, with the flag and best-cell keys. */
    private static void legend(StringBuilder out, double scale) {
        int x0 = 16;
        int barWidth = 360;
        int width = x0 * 2 + barWidth;
        out.append("<div class=\"legend\">\n<svg class=\"scale\" width=\"")
                .append(width)
                .append("\" height=\"44\" viewBox=\"0 0 ")
                .append(width)
                .append(" 44\" role=\"img\"><title>colour scale of phi</title>\n")
                .append("<rect x=\"")
                .append(x0)
                .append("\" y=\"4\" width=\"")
                .append(barWidth)
                .append("\" height=\"14\" fill=\"url(#phi-scale)\" stroke=\"#999999\"/>\n");
        TreeSet<Double> ticks = new TreeSet<>(List.of(-scale, 0.0, scale));
        for (double band : new double[] {0.2, 0.3, 0.4}) {
            if (band < scale) {
                ticks.add(band);
            }
        }
        double lastLabel = Double.NEGATIVE_INFINITY;
        for (double t : ticks) {
            double x = x0 + (t + scale) / (2 * scale) * barWidth;
            out.append("<line x1=\"")
                    .append(fixed1(x))
                    .append("\" y1=\"4\" x2=\"")
                    .append(fixed1(x))
                    .append("\" y2=\"22\" stroke=\"#333333\"/>");
            // labels closer than their own width would overlap; the ends always get theirs
            boolean end = t == scale;
            if (x - lastLabel >= 30 || end) {
                out.append("<text class=\"tick\" x=\"")
                        .append(fixed1(x))
                        .append("\" y=\"36\" text-anchor=\"middle\">")
                        .append(phi(t))
                        .append("</text>");
                lastLabel = x;
            }
            out.append('\n');
        }
        out.append(
                        "</svg>\n<span class=\"key\"><svg width=\"18\" height=\"18\" viewBox=\"0 0 18 18\">")
                .append("<rect x=\"0.5\" y=\"0.5\" width=\"17\" height=\"17\" fill=\"#d9f0d3\"")
                .append(" stroke=\"#999999\"/><rect x=\"0.5\" y=\"0.5\" width=\"17\" height=\"17\"")
                .append(" fill=\"url(#flag-hatch)\"/></svg> flagged: under 5% or over 95% of the")
                .append(" cohort above</span>\n<span class=\"key\"><svg width=\"18\" height=\"18\"")
                .append(
                        " viewBox=\"0 0 18 18\"><rect x=\"1.5\" y=\"1.5\" width=\"15\" height=\"15\"")
                .append(" fill=\"#a6dba0\" stroke=\"#000000\" stroke-width=\"3\"/></svg> the")
                .append(" action's best threshold that is not flagged</span>\n</div>\n");
    }

    private static void retentionBars(StringBuilder out, List<Cell> ranked, Input input) {
        List<Cell> best = new ArrayList<>();
        for (Cell c : ranked) {
            if (best.size() == BARS) {
                break;
            }
            if (!c.flagged()) {
                best.add(c);
            }
        }
        out.append("<section id=\"retention\">\n<h2>Retention above and below the best")
                .append(" thresholds</h2>\n");
        if (best.isEmpty()) {
            out.append("<p class=\"note\">Every threshold is flagged; none is drawn.</p>\n")
                    .append("</section>\n");
            return;
        }
        out.append("<p class=\"note\">The top ")
                .append(best.size())
                .append(" thresholds that are not flagged: the share of users retained (")
                .append(escape(retainedBy(input)))
                .append(' ')
                .append(escape(window(input)))
                .append(") among those at or above the threshold and those below it.</p>\n");
        int labelWidth = 300;
        int barArea = 360;
        int barHeight = 15;
        int block = 2 * barHeight + 4 + 18;
        int top = 24;
        int width = labelWidth + barArea + 150;
        int height = top + best.size() * block + 4;
        out.append("<div class=\"scroll\">\n<svg class=\"bars\" width=\"")
                .append(width)
                .append("\" height=\"")
                .append(height)
                .append("\" viewBox=\"0 0 ")
                .append(width)
                .append(' ')
                .append(height)
                .append("\" role=\"img\"><title>retention above and below the best thresholds")
                .append("</title>\n");
        for (int p = 0; p <= 100; p += 25) {
            int x = labelWidth + barArea * p / 100;
            out.append("<line x1=\"")
                    .append(x)
                    .append("\" y1=\"")
                    .append(top - 4)
                    .append("\" x2=\"")
                    .append(x)
                    .append("\" y2=\"")
                    .append(height - 4)
                    .append("\" class=\"grid\"/><text class=\"tick\" x=\"")
                    .append(x)
                    .append("\" y=\"")
                    .append(top - 8)
                    .append("\" text-anchor=\"middle\">")
                    .append(p)
                    .append("%</text>\n");
        }
        for (int i = 0; i < best.size(); i++) {
            Cell c = best.get(i);
            int y = top + i * block + 4;
            out.append("<g class=\"pair\"><text class=\"label\" x=\"")
                    .append(labelWidth - 10)
                    .append("\" y=\"")
                    .append(y + barHeight - 3)
                    .append("\" text-anchor=\"end\">")
                    .append(escape(shorten(c.action(), 34)))
                    .append("</text><text class=\"tick\" x=\"")
                    .append(labelWidth - 10)
                    .append("\" y=\"")
                    .append(y + 2 * barHeight + 1)
                    .append("\" text-anchor=\"end\">")
                    .append(threshold(c))
                    .append(" \u00b7 phi ")
                    .append(phi(c.phi()))
                    .append("</text>\n");
            bar(out, "above", c.retentionAbove(), c.n11() + c.n10(), labelWidth, barArea, y);
            bar(
                    out,
                    "below",
                    c.retentionBelow(),
                    c.n01() + c.n00(),
                    labelWidth,
                    barArea,
                    y + barHeight + 4);
            out.append("</g>\n");
        }
        out.append("</svg>\n</div>\n<p class=\"keys\"><span class=\"swatch above\"></span> at or")
                .append(" above the threshold <span class=\"swatch below\"></span> below it</p>\n")
                .append("</section>\n");
    }

    private static void bar(
            StringBuilder out, String kind, Double share, long users, int x, int area, int y) {
        double w = share == null ? 0 : share * area;
        out.append("<rect class=\"")
                .append(kind)
                .append("\" x=\"")
                .append(x)
                .append("\" y=\"")
                .append(y)
                .append("\" width=\"")
                .append(fixed1(w))
                .append("\" height=\"15\"/><text class=\"value\" x=\"")
                .append(fixed1(x + w + 6))
                .append("\" y=\"")
                .append(y + 12)
                .append("\">")
                .append(percent1(share))
                .append(" of ")
                .append(count(users))
                .append("</text>\n");
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
                .append(escape(retainedBy(input)))
                .append(' ')
                .append(escape(window(input)))
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

    /** Patterns and gradients referenced by every chart, defined once so their ids are unique. */
    private static void definitions(StringBuilder out, double scale) {
        out.append("<svg class=\"defs\" width=\"0\" height=\"0\" aria-hidden=\"true\"><defs>\n")
                .append("<pattern id=\"flag-hatch\" width=\"6\" height=\"6\"")
                .append(" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">")
                .append("<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#000000\"")
                .append(" stroke-width=\"1.6\" stroke-opacity=\"0.35\"/></pattern>\n")
                .append("<linearGradient id=\"phi-scale\" x1=\"0\" y1=\"0\" x2=\"1\" y2=\"0\">");
        int steps = 16;
        for (int i = 0; i <= steps; i++) {
            double t = -1 + 2.0 * i / steps;
            out.append("<stop offset=\"")
                    .append(fixed3((double) i / steps))
                    .append("\" stop-color=\"")
                    .append(hex(color(t * scale, scale)))
                    .append("\"/>");
        }
        out.append("</linearGradient>\n</defs></svg>\n");
    }

    // ---- pieces

    private static void fact(StringBuilder out, String term, String html) {
        fact(out, term, html, false);
    }

    /** A wide fact takes two columns of the grid, for text that would wrap into a narrow tower. */
    private static void fact(StringBuilder out, String term, String html, boolean wide) {
        out.append(wide ? "<div class=\"wide\"><dt>" : "<div><dt>")
                .append(term)
                .append("</dt><dd>")
                .append(html)
                .append("</dd></div>\n");
    }

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

    /** "at least 3 in first 7 days". */
    private static String threshold(Cell c) {
        return "at least " + c.count() + " in first " + days(c.days());
    }

    private static String times(int n) {
        return n == 1 ? "once" : n + " times";
    }

    private static String days(int d) {
        return d == 1 ? "day" : d + " days";
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

    private static Cell firstUnflagged(List<Cell> cells) {
        for (Cell c : cells) {
            if (!c.flagged()) {
                return c;
            }
        }
        return null;
    }

    private static long key(int count, int days) {
        return ((long) count << 32) | (days & 0xffffffffL);
    }

    private static String shorten(String s, int max) {
        if (s.codePointCount(0, s.length()) <= max) {
            return s;
        }
        return s.substring(0, s.offsetByCodePoints(0, max - 1)) + "\u2026";
    }

    // ---- colours

    /** The largest |phi|, rounded up to a tenth: all heat maps share one scale, so they compare. */
    private static double scale(List<Cell> cells) {
        double max = 0;
        for (Cell c : cells) {
            if (Double.isFinite(c.phi())) {
                max = Math.max(max, Math.abs(c.phi()));
            }
        }
        return Math.min(1, Math.max(0.1, Math.ceil(max * 10 - 1e-9) / 10));
    }

    /** Diverging around 0: phi at -scale is deep purple, 0 near white, +scale deep green. */
    static int color(double phi, double scale) {
        double t = Double.isFinite(phi) ? Math.max(-1, Math.min(1, phi / scale)) : 0;
        int[] stops = t >= 0 ? POSITIVE : NEGATIVE;
        double x = Math.abs(t) * (stops.length - 1);
        int i = Math.min((int) Math.floor(x), stops.length - 2);
        double f = x - i;
        int a = stops[i];
        int b = stops[i + 1];
        int r = mix(a >> 16, b >> 16, f);
        int g = mix((a >> 8) & 0xff, (b >> 8) & 0xff, f);
        int bl = mix(a & 0xff, b & 0xff, f);
        return (r << 16) | (g << 8) | bl;
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round((a & 0xff) + (b - (a & 0xff)) * f) & 0xff;
    }

    private static boolean dark(int rgb) {
        double luma = 0.299 * (rgb >> 16) + 0.587 * ((rgb >> 8) & 0xff) + 0.114 * (rgb & 0xff);
        return luma < 140;
    }

    private static String hex(int rgb) {
        return String.format(Locale.ROOT, "#%06x", rgb);
    }

    // ---- numbers and text

    static String phi(double phi) {
        if (!Double.isFinite(phi)) {
            return ABSENT;
        }
        double rounded = Math.round(phi * 100) / 100.0;
        return String.format(Locale.ROOT, "%.2f", rounded == 0 ? 0.0 : rounded);
    }

    static String percent1(Double share) {
        return share == null || share.isNaN()
                ? ABSENT
                : String.format(Locale.ROOT, "%.1f%%", share * 100);
    }

    private static String percent0(Double share) {
        return share == null || share.isNaN()
                ? ABSENT
                : String.format(Locale.ROOT, "%.0f%%", share * 100);
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String fixed1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String fixed3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /**
     * Text for HTML content and attribute values. Control characters that XML forbids become
     * U+FFFD, so the page stays well-formed whatever the input held.
     */
    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    boolean forbidden =
                            (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
                                    || ch == 0xfffe
                                    || ch == 0xffff;
                    b.append(forbidden ? '\ufffd' : ch);
                }
            }
        }
        return b.toString();
    }

    private static final String CSS =
            """

            :root { color-scheme: light; }
            body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
              color: #1a1a1a; background: #ffffff; margin: 0 auto; padding: 24px 32px 40px;
              max-width: 1240px; }
            h1 { font-size: 26px; margin: 0 0 4px; }
            h2 { font-size: 19px; margin: 32px 0 6px; border-bottom: 1px solid #dddddd;
              padding-bottom: 4px; }
            .lede, .note { color: #555555; margin: 4px 0 10px; }
            dl.asked, dl.parameters { display: grid; grid-template-columns: repeat(auto-fit,
              minmax(160px, 1fr)); gap: 8px 16px; margin: 14px 0; }
            dl div.wide { grid-column: span 2; }
            dl div { background: #f5f5f5; border-radius: 6px; padding: 6px 10px; }
            dt { font-size: 12px; color: #666666; text-transform: uppercase; letter-spacing: .04em; }
            dd { margin: 2px 0 0; font-weight: 600; overflow-wrap: anywhere; }
            .verdict { font-size: 17px; background: #eef7ec; border-left: 5px solid #1b7837;
              padding: 10px 14px; margin: 16px 0 4px; overflow-wrap: anywhere; }
            .scroll { overflow-x: auto; }
            table.ranking { border-collapse: collapse; font-size: 13px; width: 100%; }
            table.ranking th, table.ranking td { padding: 4px 6px; text-align: right;
              border-bottom: 1px solid #e6e6e6; white-space: nowrap; }
            table.ranking th { background: #f0f0f0; font-weight: 600; white-space: normal;
              vertical-align: bottom; line-height: 1.2; }
            table.ranking .text { text-align: left; }
            table.ranking td.action { max-width: 220px; overflow: hidden; text-overflow: ellipsis; }
            table.ranking td.phi { font-weight: 700; font-variant-numeric: tabular-nums; }
            table.ranking td { font-variant-numeric: tabular-nums; }
            table.ranking tr.flagged td { color: #7a7a7a; background: #fafafa; }
            .flag { color: #8a4b00; background: #fff1dc; border: 1px solid #e8b466;
              border-radius: 4px; padding: 0 5px; font-weight: 600; }
            .badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px;
              font-weight: 600; white-space: nowrap; }
            .badge.highly { background: #1b7837; color: #ffffff; }
            .badge.moderate { background: #5aae61; color: #0d2a12; }
            .badge.slight { background: #d9f0d3; color: #1b4d24; border: 1px solid #a6dba0; }
            .badge.none { background: #eeeeee; color: #555555; }
            table.ranking tr.flagged .badge { opacity: .75; }
            .legend { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 24px;
              margin: 8px 0 12px; color: #444444; font-size: 13px; }
            .legend .key { display: inline-flex; align-items: center; gap: 6px; }
            .maps { display: flex; flex-wrap: wrap; gap: 20px 36px; align-items: flex-start; }
            figure.map { margin: 0; max-width: 100%; overflow-x: auto; }
            figure.map figcaption { font-weight: 700; font-size: 15px; margin-bottom: 2px;
              overflow-wrap: anywhere; }
            svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
              font-size: 12px; }
            svg .tick { fill: #555555; font-size: 11px; }
            svg .axis { fill: #333333; font-size: 12px; font-weight: 600; }
            svg .missing { fill: #ffffff; stroke: #dddddd; }
            svg .cell rect:first-of-type { stroke: #ffffff; stroke-width: 1; }
            svg .best { fill: none; stroke: #000000; stroke-width: 3; }
            svg.defs { position: absolute; }
            svg .grid { stroke: #e3e3e3; }
            svg .label { font-weight: 600; fill: #1a1a1a; }
            svg .value { fill: #333333; font-size: 11px; }
            svg rect.above, .swatch.above { fill: #1b7837; background: #1b7837; }
            svg rect.below, .swatch.below { fill: #b8b8b8; background: #b8b8b8; }
            .keys { color: #444444; font-size: 13px; }
            .swatch { display: inline-block; width: 12px; height: 12px; vertical-align: -1px;
              margin: 0 4px 0 10px; border-radius: 2px; }
            #how-to-read ul { padding-left: 20px; max-width: 920px; }
            #how-to-read li { margin: 4px 0; }
            footer { margin-top: 28px; color: #444444; }
            footer dd { font-weight: 500; }
            code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
            """;
}
