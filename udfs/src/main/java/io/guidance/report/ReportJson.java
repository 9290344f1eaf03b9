package io.guidance.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import io.guidance.experiment.stats.ExperimentResult;
import io.guidance.experiment.stats.ExperimentResultJson;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * {@code report.json}: {@code experiments} exactly in the form of SPEC section 7, then the rules'
 * backtests and funnels, the feedback that matched no trigger and what was read (the fields are
 * described in docs/experiments.md, "The report").
 */
public final class ReportJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private ReportJson() {}

    public static String toJson(GuidanceReport report) {
        StringWriter out = new StringWriter(16 * 1024);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.setPrettyPrinter(new DefaultPrettyPrinter());
            g.writeStartObject();
            g.writeArrayFieldStart("experiments");
            for (ExperimentResult r : report.experiments()) {
                ExperimentResultJson.write(g, r);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("experimentsNotInRules");
            for (String x : report.experimentsNotInRules()) {
                g.writeString(x);
            }
            g.writeEndArray();
            g.writeNumberField("conversionsWithoutExposure", report.conversionsWithoutExposure());
            g.writeArrayFieldStart("rules");
            for (RuleBacktest b : report.rules()) {
                rule(g, b);
            }
            g.writeEndArray();
            g.writeObjectFieldStart("feedback");
            g.writeNumberField("matched", report.feedbackEvents());
            g.writeNumberField("unmatched", report.unmatchedFeedback());
            g.writeNumberField("withoutTriggerId", report.feedbackWithoutTriggerId());
            g.writeEndObject();
            g.writeArrayFieldStart("inputs");
            for (InputLines in : report.inputs()) {
                g.writeStartObject();
                g.writeStringField("input", in.name);
                g.writeNumberField("read", in.read());
                g.writeNumberField("bad", in.bad());
                g.writeArrayFieldStart("firstBad");
                for (String b : in.firstBad()) {
                    g.writeString(b);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.append('\n').toString();
    }

    private static void rule(JsonGenerator g, RuleBacktest b) throws IOException {
        g.writeStartObject();
        g.writeStringField("ruleId", b.ruleId());
        g.writeBooleanField("inRules", b.inRules());
        g.writeNumberField("triggers", b.triggers());
        counts(g, "byStatus", b.byStatus());
        g.writeNumberField("usersReached", b.usersReached());
        g.writeNumberField("maxGuidesPerUserDay", b.maxGuidesPerUserDay());
        counts(g, "suppressions", b.suppressions());
        g.writeArrayFieldStart("days");
        for (Map.Entry<String, ? extends Map<String, Long>> d : b.perDay().entrySet()) {
            g.writeStartObject();
            g.writeStringField("day", d.getKey());
            counts(g, "byStatus", d.getValue());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("funnel");
        for (GuideFunnel f : b.funnel()) {
            g.writeStartObject();
            g.writeStringField("guide", f.guide());
            counts(g, "byStatus", f.byStatus());
            g.writeNumberField("delivered", f.delivered());
            g.writeNumberField("shown", f.shown());
            g.writeNumberField("clicked", f.clicked());
            g.writeNumberField("dismissed", f.dismissed());
            g.writeNumberField("completed", f.completed());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void counts(JsonGenerator g, String name, Map<String, Long> counts)
            throws IOException {
        g.writeObjectFieldStart(name);
        for (Map.Entry<String, Long> c : counts.entrySet()) {
            g.writeNumberField(c.getKey(), c.getValue());
        }
        g.writeEndObject();
    }
}
