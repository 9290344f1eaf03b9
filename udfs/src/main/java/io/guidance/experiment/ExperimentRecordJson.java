package io.guidance.experiment;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/** The JSON form of an {@link ExperimentRecord} (SPEC section 7), in a fixed field order. */
public final class ExperimentRecordJson {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ExperimentRecordJson() {}

    public static String toJson(ExperimentRecord r) {
        StringWriter out = new StringWriter(192);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("experiment", r.experiment);
            g.writeStringField("salt", r.salt);
            g.writeStringField("arm", r.arm);
            g.writeStringField("userId", r.userId);
            g.writeStringField("record", r.record);
            g.writeNumberField("ts", r.ts);
            g.writeNumberField("exposedAt", r.exposedAt);
            if (r.triggerId != null) {
                g.writeStringField("triggerId", r.triggerId);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * Reads one record; throws {@link IllegalArgumentException} naming what is wrong for anything
     * that is not a record of the SPEC's form.
     */
    public static ExperimentRecord fromJson(String json) {
        JsonNode n;
        try {
            n = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        ExperimentRecord r = new ExperimentRecord();
        r.experiment = text(n, "experiment");
        r.salt = text(n, "salt");
        r.arm = text(n, "arm");
        r.userId = text(n, "userId");
        r.record = text(n, "record");
        if (!ExperimentRecord.EXPOSURE.equals(r.record)
                && !ExperimentRecord.CONVERSION.equals(r.record)) {
            throw new IllegalArgumentException(
                    "record must be \"exposure\" or \"conversion\", not \"" + r.record + '"');
        }
        r.ts = number(n, "ts");
        r.exposedAt = number(n, "exposedAt");
        r.triggerId = n.hasNonNull("triggerId") ? n.get("triggerId").asText() : null;
        return r;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("missing or not a string: " + field);
        }
        return v.asText();
    }

    private static long number(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.canConvertToLong() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException("missing or not an integer: " + field);
        }
        return v.asLong();
    }
}
