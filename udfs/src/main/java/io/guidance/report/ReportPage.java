package io.guidance.report;

import static io.guidance.discover.ReportFormat.ABSENT;
import static io.guidance.discover.ReportFormat.count;
import static io.guidance.discover.ReportFormat.escape;
import static io.guidance.discover.ReportFormat.fact;
import static io.guidance.discover.ReportFormat.percent1;

import io.guidance.discover.ReportStyle;
import io.guidance.experiment.stats.ArmResult;
import io.guidance.experiment.stats.Comparison;
import io.guidance.experiment.stats.ExperimentResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code report.html}: per experiment its arms, comparisons and chart, with a warning on a sample
 * ratio mismatch; per rule its backtest and guide funnel; what was read and skipped.
 *
 * <p>One self-contained page, like the discovery report and with its style sheet: inline CSS, the
 * charts as PNG data URIs, no script, nothing fetched, well-formed XML. Every string from the data
 * is escaped.
 */
public final class ReportPage {
    private static final String CSS =
            """
            h3 { font-size: 16px; margin: 22px 0 6px; overflow-wrap: anywhere; }
            h4 { font-size: 14px; margin: 14px 0 4px; }
            article { margin-bottom: 28px; }
            img.chart { display: block; max-width: 100%; height: auto; margin: 8px 0;
              border: 1px solid #eeeeee; }
            .srm-warning { background: #fdecea; border-left: 5px solid #b2182b; color: #5c0a14;
              padding: 10px 14px; margin: 10px 0; font-weight: 600; }
            .unknown { background: #fff8e5; border-left: 5px solid #e8b466; padding: 8px 12px;
              margin: 8px 0; }
            .explain { background: #f3f6fa; border-left: 5px solid #2166ac; padding: 10px 14px;
              margin: 10px 0; max-width: 960px; }
            .yes { color: #1b7837; font-weight: 700; }
            table.ranking td.text { text-align: left; }
            ul.bad { margin: 4px 0; font-size: 13px; }
            """;

    private ReportPage() {}

    /** The page; {@code sources} names what was read ("triggers.jsonl", "topic guidance-audit"). */
    public static String html(GuidanceReport report, Map<String, String> sources) {
        StringBuilder out = new StringBuilder(256 * 1024);
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                .append(
                        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
                .append("<title>Guidance report: backtest, funnel and experiments</title>\n<style>")
                .append(ReportStyle.CSS)
                .append(CSS)
                .append("</style>\n</head>\n<body>\n");
        header(out, report, sources);
        experiments(out, report);
        rules(out, report);
        inputs(out, report, sources);
        out.append("<footer>\n<p class=\"note\">Made by <code>guidance report</code>; the")
                .append(" definitions are those of SPEC sections 4 and 7 and")
                .append(" docs/experiments.md.</p>\n</footer>\n</body>\n</html>\n");
        return out.toString();
    }

    // ---- sections

    private static void header(
            StringBuilder out, GuidanceReport report, Map<String, String> sources) {
        long triggers = report.rules().stream().mapToLong(RuleBacktest::triggers).sum();
        long delivered = report.rules().stream().mapToLong(RuleBacktest::delivered).sum();
        long bad = report.inputs().stream().mapToLong(InputLines::bad).sum();
        String first = null;
        String last = null;
        for (RuleBacktest r : report.rules()) {
            if (!r.perDay().isEmpty()) {
                String f = r.perDay().firstKey();
                String l = r.perDay().lastKey();
                first = first == null || f.compareTo(first) < 0 ? f : first;
                last = last == null || l.compareTo(last) > 0 ? l : last;
            }
        }
        out.append("<header>\n<h1>Guides: what they did, and whether they help</h1>\n")
                .append("<p class=\"lede\">A backtest of each rule over its triggers (delivered")
                .append(" and suppressed), the funnel of each guide from the front ends' feedback")
                .append(" events, and the results of each experiment against its control")
                .append(" group.</p>\n<dl class=\"asked\">\n");
        fact(out, "Triggers", count(triggers));
        fact(out, "Delivered", count(delivered));
        fact(out, "Rules", count(report.rules().size()));
        fact(out, "Experiments", count(report.experiments().size()));
        fact(out, "Days (UTC)", first == null ? ABSENT : escape(first + " \u2013 " + last));
        fact(out, "Bad lines", count(bad) + (bad > 0 ? " (skipped)" : ""));
        out.append("</dl>\n</header>\n");
    }

    private static void experiments(StringBuilder out, GuidanceReport report) {
        out.append("<section id=\"experiments\">\n<h2>Experiments</h2>\n");
        if (report.experiments().isEmpty()) {
            out.append("<p class=\"note\">No experiment: the rules have none and no experiment")
                    .append(" records were read.</p>\n</section>\n");
            return;
        }
        out.append("<div class=\"explain\"><p>Per arm, <b>exposed</b> users got the arm's")
                .append(" first trigger (a guide, or nothing for the control group) and")
                .append(" <b>converted</b> users reached the goal within the window after it;")
                .append(" <b>rate</b> = converted / exposed. Each arm is compared with the")
                .append(" control group: <b>diff</b> is the difference of the rates in percentage")
                .append(" points with its 95% interval. A comparison is <b>significant</b> when")
                .append(" its p-value is below 0.05, the arms' sizes match their shares (no")
                .append(" sample ratio mismatch), and every compared arm has at least 100 exposed")
                .append(" users, 5 converted and 5 not converted.</p>")
                .append("<p>The 95% interval and the p-value hold for one look at the data at a")
                .append(
                        " size fixed in advance. The <b>always-valid 95% interval</b> holds however")
                .append(" often you look while the job runs and whenever you stop: it is wider,")
                .append(" and a difference whose always-valid interval excludes 0 can be trusted")
                .append(" even when read early.</p></div>\n");
        if (!report.experimentsNotInRules().isEmpty()) {
            out.append("<p class=\"unknown\">Not in the rules file, so shown with share")
                    .append(" unknown (0) and no sample ratio check: ")
                    .append(escape(String.join(", ", report.experimentsNotInRules())))
                    .append(".</p>\n");
        }
        for (ExperimentResult r : report.experiments()) {
            experiment(out, r, report.experimentsNotInRules());
        }
        out.append("</section>\n");
    }

    private static void experiment(StringBuilder out, ExperimentResult r, List<String> unknown) {
        out.append("<article class=\"experiment\" data-experiment=\"")
                .append(escape(r.experiment()))
                .append("\">\n<h3>")
                .append(escape(r.experiment()))
                .append(" <span class=\"note\">(salt ")
                .append(escape(r.salt()))
                .append(")</span></h3>\n");
        if (unknown.contains(r.experiment() + " (salt " + r.salt() + ")")) {
            out.append("<p class=\"unknown\">This experiment is not in the rules file (an")
                    .append(" old salt or a removed rule): its shares are unknown (0).</p>\n");
        }
        if (r.srm()) {
            out.append("<div class=\"srm-warning\" role=\"alert\">\u26a0 Sample ratio mismatch:")
                    .append(" the arms' exposed users do not match their configured shares (p = ")
                    .append(p(r.srmPValue()))
                    .append("). Assignment or exposure is broken somewhere; do not trust these")
                    .append(" results until the cause is found.</div>\n");
        }
        long exposed = r.arms().stream().mapToLong(ArmResult::exposed).sum();
        if (exposed > 0) {
            out.append("<img class=\"chart\" alt=\"conversion rate per arm and difference from")
                    .append(" the control arm, with intervals, of ")
                    .append(escape(r.experiment()))
                    .append("\" src=\"")
                    .append(ReportCharts.experiment(r))
                    .append("\"/>\n");
        } else {
            out.append("<p class=\"note\">No exposure yet.</p>\n");
        }
        Map<String, Comparison> byArm = new LinkedHashMap<>();
        r.comparisons().forEach(c -> byArm.put(c.arm(), c));
        out.append("<div class=\"scroll\">\n<table class=\"ranking arms\">\n<thead><tr>")
                .append("<th class=\"text\">Arm</th><th>Share</th><th>Exposed (users)</th>")
                .append("<th>Converted (users)</th><th>Rate</th><th>Diff (pp)</th>")
                .append("<th>95% interval (pp)</th><th>Always-valid 95% (pp)</th><th>Lift</th>")
                .append("<th>p-value</th><th class=\"text\">Significant</th></tr></thead>\n")
                .append("<tbody>\n");
        for (ArmResult a : r.arms()) {
            Comparison c = byArm.get(a.arm());
            out.append("<tr data-arm=\"")
                    .append(escape(a.arm()))
                    .append("\"><td class=\"text\">")
                    .append(escape(a.arm()))
                    .append("</td><td>")
                    .append(a.share() == 0 ? "0% or unknown" : a.share() + "%")
                    .append("</td><td>")
                    .append(count(a.exposed()))
                    .append("</td><td>")
                    .append(count(a.converted()))
                    .append("</td><td>")
                    .append(percent1(a.rate()))
                    .append("</td>");
            if (c == null) {
                String why =
                        a.arm().equals(ReportCharts.controlOf(r))
                                ? "the reference: the other arms are compared with it"
                                : "not compared (share 0 or no exposure)";
                out.append("<td colspan=\"6\" class=\"text note\">")
                        .append(why)
                        .append("</td></tr>\n");
                continue;
            }
            out.append("<td>")
                    .append(pp(c.diff()))
                    .append("</td><td>")
                    .append(interval(c.ci95()))
                    .append("</td><td>")
                    .append(interval(c.alwaysValid95()))
                    .append("</td><td>")
                    .append(c.lift() == null ? ABSENT : signedPercent(c.lift()))
                    .append("</td><td>")
                    .append(p(c.pValue()))
                    .append("</td><td class=\"text\">")
                    .append(c.significant() ? "<span class=\"yes\">yes</span>" : "no")
                    .append("</td></tr>\n");
        }
        out.append("</tbody>\n</table>\n</div>\n</article>\n");
    }

    private static void rules(StringBuilder out, GuidanceReport report) {
        out.append("<section id=\"rules\">\n<h2>Rules: backtest and guide funnel</h2>\n")
                .append("<p class=\"note\">Per rule: its triggers per day (UTC) by delivery")
                .append(" status, the users it reached (distinct users with a delivered trigger),")
                .append(" the most guides it delivered to one user in one day, and per guide the")
                .append(" triggers the front ends reported shown, clicked, completed and dismissed")
                .append(" (each counted once per trigger).</p>\n");
        if (report.rules().isEmpty()) {
            out.append("<p class=\"note\">No rules and no triggers.</p>\n");
        }
        for (RuleBacktest b : report.rules()) {
            rule(out, b);
        }
        out.append("</section>\n");
    }

    private static void rule(StringBuilder out, RuleBacktest b) {
        out.append("<article class=\"rule\" data-rule=\"")
                .append(escape(b.ruleId()))
                .append("\">\n<h3>")
                .append(escape(b.ruleId()))
                .append("</h3>\n");
        if (!b.inRules()) {
            out.append("<p class=\"unknown\">Not in the rules file: its triggers are from an")
                    .append(" earlier rule set.</p>\n");
        }
        out.append("<dl class=\"asked\">\n");
        fact(out, "Triggers", count(b.triggers()));
        fact(out, "Delivered", count(b.delivered()));
        fact(out, "Users reached", count(b.usersReached()));
        fact(out, "Most guides to one user in a day", count(b.maxGuidesPerUserDay()));
        StringBuilder why = new StringBuilder();
        b.suppressions()
                .forEach(
                        (reason, n) ->
                                why.append(why.length() == 0 ? "" : ", ")
                                        .append(escape(reason))
                                        .append(' ')
                                        .append(count(n)));
        fact(out, "Suppressed", why.length() == 0 ? "none" : why.toString());
        out.append("</dl>\n");
        if (b.triggers() == 0) {
            out.append("<p class=\"note\">No triggers.</p>\n</article>\n");
            return;
        }
        out.append("<h4>Triggers per day (UTC), by status</h4>\n<img class=\"chart\" alt=\"")
                .append("triggers per day of ")
                .append(escape(b.ruleId()))
                .append(", stacked by status\" src=\"")
                .append(ReportCharts.triggersPerDay(b.perDay()))
                .append("\"/>\n<h4>Guide funnel (triggers)</h4>\n<img class=\"chart\" alt=\"")
                .append("guide funnel of ")
                .append(escape(b.ruleId()))
                .append("\" src=\"")
                .append(ReportCharts.funnel(b.funnel()))
                .append("\"/>\n<div class=\"scroll\">\n<table class=\"ranking funnel\">\n")
                .append("<thead><tr><th class=\"text\">Guide</th><th>Triggers</th>")
                .append("<th>Delivered</th><th>Shown</th><th>Clicked</th><th>Completed</th>")
                .append("<th>Dismissed</th><th class=\"text\">By status</th></tr></thead>\n")
                .append("<tbody>\n");
        for (GuideFunnel f : b.funnel()) {
            StringBuilder statuses = new StringBuilder();
            f.byStatus()
                    .forEach(
                            (s, n) ->
                                    statuses.append(statuses.length() == 0 ? "" : ", ")
                                            .append(escape(s))
                                            .append(' ')
                                            .append(count(n)));
            out.append("<tr data-guide=\"")
                    .append(escape(f.guide()))
                    .append("\"><td class=\"text\">")
                    .append(escape(f.guide()))
                    .append("</td><td>")
                    .append(count(f.triggers()))
                    .append("</td><td>")
                    .append(count(f.delivered()))
                    .append("</td><td>")
                    .append(count(f.shown()))
                    .append("</td><td>")
                    .append(count(f.clicked()))
                    .append("</td><td>")
                    .append(count(f.completed()))
                    .append("</td><td>")
                    .append(count(f.dismissed()))
                    .append("</td><td class=\"text\">")
                    .append(statuses)
                    .append("</td></tr>\n");
        }
        out.append("</tbody>\n</table>\n</div>\n</article>\n");
    }

    private static void inputs(
            StringBuilder out, GuidanceReport report, Map<String, String> sources) {
        out.append("<section id=\"inputs\">\n<h2>What was read</h2>\n<dl class=\"parameters\">\n");
        for (InputLines in : report.inputs()) {
            String source = sources.get(in.name);
            StringBuilder text = new StringBuilder();
            text.append(source == null ? "not given" : escape(source))
                    .append(": ")
                    .append(count(in.read()))
                    .append(" read, ")
                    .append(count(in.bad()))
                    .append(" bad");
            if (!in.firstBad().isEmpty()) {
                text.append("<ul class=\"bad\">");
                for (String b : in.firstBad()) {
                    text.append("<li>").append(escape(b)).append("</li>");
                }
                text.append("</ul>");
            }
            fact(out, escape(in.name), text.toString(), true);
        }
        fact(
                out,
                "Feedback events",
                count(report.feedbackEvents())
                        + " matched a trigger, "
                        + count(report.unmatchedFeedback())
                        + " named an unknown trigger id (unmatched feedback), "
                        + count(report.feedbackWithoutTriggerId())
                        + " had no props.triggerId",
                true);
        fact(
                out,
                "Conversions without exposure",
                count(report.conversionsWithoutExposure())
                        + " users converted in an arm where no exposure of theirs was read (not"
                        + " counted as converted)",
                true);
        out.append("</dl>\n</section>\n");
    }

    // ---- pieces

    /** A difference of rates in percentage points: "+1.2". */
    static String pp(double diff) {
        return String.format(Locale.ROOT, "%+.2f", diff * 100).replace('-', '\u2212');
    }

    static String interval(double[] ci) {
        return ci == null ? ABSENT : "[" + pp(ci[0]) + ", " + pp(ci[1]) + "]";
    }

    static String signedPercent(double share) {
        return String.format(Locale.ROOT, "%+.1f%%", share * 100).replace('-', '\u2212');
    }

    static String p(Double p) {
        if (p == null || p.isNaN()) {
            return ABSENT;
        }
        return p < 0.001 ? "&lt; 0.001" : String.format(Locale.ROOT, "%.3f", p);
    }
}
