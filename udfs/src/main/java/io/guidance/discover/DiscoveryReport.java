package io.guidance.discover;

import java.util.List;

/**
 * Placeholder with the API of the HTML report of discovery, so that the job compiles until the
 * report itself is merged: a bare table of the ranking.
 */
public final class DiscoveryReport {

    /**
     * What a run found and how it was asked: ranked = every cell, best first (Ranking order).
     *
     * @param retention e.g. "30d-365d"
     * @param retainedBy null = any type
     */
    public record Input(
            List<Cell> ranked,
            String retention,
            long fromMs,
            long toMs,
            String retainedBy,
            long cohortUsers,
            long usersRead,
            long eventsRead,
            long badLines,
            long endTs) {}

    private DiscoveryReport() {}

    public static String html(Input input) {
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Discovery</title>")
                .append("</head><body><h1>Discovery, retention ")
                .append(escape(input.retention()))
                .append("</h1><table><tr><th>action</th><th>N</th><th>D</th><th>phi</th></tr>");
        for (Cell c : input.ranked()) {
            h.append("<tr><td>")
                    .append(escape(c.action()))
                    .append("</td><td>")
                    .append(c.count())
                    .append("</td><td>")
                    .append(c.days())
                    .append("</td><td>")
                    .append(c.phi())
                    .append("</td></tr>");
        }
        return h.append("</table></body></html>\n").toString();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
