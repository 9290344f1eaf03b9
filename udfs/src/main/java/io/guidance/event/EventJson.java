package io.guidance.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/** Writes an event as the SPEC JSON object, fields in SPEC order; the inverse of {@link EventParser}. */
public final class EventJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private EventJson() {}

    public static byte[] toJsonBytes(Event e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(192);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("eventId", e.eventId);
            g.writeStringField("userId", e.userId);
            g.writeStringField("sessionId", e.sessionId);
            g.writeNumberField("ts", e.ts);
            g.writeStringField("type", e.type);
            if (e.page != null) g.writeStringField("page", e.page);
            if (e.target != null) g.writeStringField("target", e.target);
            if (e.props != null) {
                g.writeObjectFieldStart("props");
                // props hold text; numbers and booleans were JSON literals and are written back as such
                for (Map.Entry<String, String> p : new TreeMap<>(e.props).entrySet()) {
                    g.writeFieldName(p.getKey());
                    String v = p.getValue();
                    if (isJsonLiteral(v)) {
                        g.writeRawValue(v);
                    } else {
                        g.writeString(v);
                    }
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    public static String toJson(Event e) {
        return new String(toJsonBytes(e), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static boolean isJsonLiteral(String v) {
        if (v.equals("true") || v.equals("false")) return true;
        return v.matches("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?");
    }
}
