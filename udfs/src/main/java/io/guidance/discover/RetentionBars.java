package io.guidance.discover;

import static io.guidance.discover.ReportFormat.count;
import static io.guidance.discover.ReportFormat.escape;
import static io.guidance.discover.ReportFormat.fixed1;
import static io.guidance.discover.ReportFormat.percent1;
import static io.guidance.discover.ReportFormat.phi;
import static io.guidance.discover.ReportFormat.shorten;
import static io.guidance.discover.ReportFormat.svgSize;
import static io.guidance.discover.ReportFormat.threshold;

import java.util.ArrayList;
import java.util.List;

/** Paired bars of the retention above and below the best unflagged thresholds. */
final class RetentionBars {
    /** Unflagged cells whose retention above and below is drawn as paired bars. */
    static final int BARS = 5;

    private RetentionBars() {}

    static void section(StringBuilder out, List<Cell> ranked, DiscoveryReport.Input input) {
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
                .append(DiscoveryReport.retentionRule(input))
                .append(") among those at or above the threshold and those below it.</p>\n");
        int labelWidth = 300;
        int barArea = 360;
        int barHeight = 15;
        int block = 2 * barHeight + 4 + 18;
        int top = 24;
        int width = labelWidth + barArea + 150;
        int height = top + best.size() * block + 4;
        out.append("<div class=\"scroll\">\n<svg class=\"bars\"");
        svgSize(out, width, height)
                .append("retention above and below the best thresholds")
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
}
