package io.guidance.discover;

import static io.guidance.discover.PhiColours.color;
import static io.guidance.discover.PhiColours.dark;
import static io.guidance.discover.PhiColours.hex;
import static io.guidance.discover.ReportFormat.escape;
import static io.guidance.discover.ReportFormat.fixed1;
import static io.guidance.discover.ReportFormat.fixed3;
import static io.guidance.discover.ReportFormat.percent1;
import static io.guidance.discover.ReportFormat.phi;
import static io.guidance.discover.ReportFormat.svgSize;
import static io.guidance.discover.ReportFormat.threshold;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** One heat map of phi per action, by N and D, with the colour legend they share. */
final class PhiHeatMaps {
    private PhiHeatMaps() {}

    static void section(StringBuilder out, List<Cell> ranked, double scale) {
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
        Cell best = DiscoveryReport.firstUnflagged(cells);
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
                .append('"');
        svgSize(out, width, height).append("phi of ").append(name).append(" by N and D</title>\n");
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
                    out.append("<rect class=\"missing\"");
                    box(out, x, y, cellWidth, cellHeight).append("/>\n");
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
                        .append("</title><rect");
                box(out, x, y, cellWidth, cellHeight)
                        .append(" fill=\"")
                        .append(hex(fill))
                        .append("\"/>");
                if (c.flagged()) {
                    out.append("<rect");
                    box(out, x, y, cellWidth, cellHeight).append(" fill=\"url(#flag-hatch)\"/>");
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
        out.append("<div class=\"legend\">\n<svg class=\"scale\"");
        svgSize(out, width, 44)
                .append("colour scale of phi</title>\n")
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

    /** Patterns and gradients referenced by every chart, defined once so their ids are unique. */
    static void definitions(StringBuilder out, double scale) {
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

    /** The position and size attributes of a rect, each with its leading space. */
    private static StringBuilder box(StringBuilder out, int x, int y, int width, int height) {
        return out.append(" x=\"")
                .append(x)
                .append("\" y=\"")
                .append(y)
                .append("\" width=\"")
                .append(width)
                .append("\" height=\"")
                .append(height)
                .append('"');
    }

    private static long key(int count, int days) {
        return ((long) count << 32) | (days & 0xffffffffL);
    }
}
