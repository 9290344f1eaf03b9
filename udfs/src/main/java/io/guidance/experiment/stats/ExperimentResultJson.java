package io.guidance.experiment.stats;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The machine-readable form of results, {@code report.json} (SPEC section 7), in the SPEC's field
 * order, plus {@code alwaysValid95} in each comparison. A value that cannot be computed ({@code
 * rate} without exposure, {@code lift} when r_c = 0, {@code pValue} without variance, {@code
 * srmPValue} without two arms of share > 0) is absent.
 */
public final class ExperimentResultJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private ExperimentResultJson() {}

    /** {@code {"experiments": [...]}}. */
    public static String toJson(List<ExperimentResult> results) {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("experiments");
            for (ExperimentResult r : results) {
                write(g, r);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** One element of {@code experiments}. */
    public static void write(JsonGenerator g, ExperimentResult r) throws IOException {
        g.writeStartObject();
        g.writeStringField("experiment", r.experiment());
        g.writeStringField("salt", r.salt());
        if (r.srmPValue() != null) {
            g.writeNumberField("srmPValue", r.srmPValue());
        }
        g.writeBooleanField("srm", r.srm());
        g.writeArrayFieldStart("arms");
        for (ArmResult a : r.arms()) {
            g.writeStartObject();
            g.writeStringField("arm", a.arm());
            g.writeNumberField("share", a.share());
            g.writeNumberField("exposed", a.exposed());
            g.writeNumberField("converted", a.converted());
            if (a.rate() != null) {
                g.writeNumberField("rate", a.rate());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("comparisons");
        for (Comparison c : r.comparisons()) {
            g.writeStartObject();
            g.writeStringField("arm", c.arm());
            g.writeStringField("vs", c.vs());
            g.writeNumberField("diff", c.diff());
            interval(g, "ci95", c.ci95());
            if (c.lift() != null) {
                g.writeNumberField("lift", c.lift());
            }
            if (c.pValue() != null) {
                g.writeNumberField("pValue", c.pValue());
            }
            g.writeBooleanField("significant", c.significant());
            interval(g, "alwaysValid95", c.alwaysValid95());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void interval(JsonGenerator g, String field, double[] lowHigh)
            throws IOException {
        g.writeArrayFieldStart(field);
        g.writeNumber(lowHigh[0]);
        g.writeNumber(lowHigh[1]);
        g.writeEndArray();
    }
}
