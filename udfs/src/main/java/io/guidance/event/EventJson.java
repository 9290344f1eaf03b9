package io.guidance.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * Writes an event as the SPEC JSON object, fields in SPEC order ({@code eventId, userId, sessionId,
 * ts, type, page, target, props}), absent optional fields left out; the inverse of {@link
 * EventParser}. {@code props} values are written as strings: an {@link Event} keeps their text,
 * which is also what rule patterns compare.
 */
public final class EventJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private EventJson() {}

    public static void write(JsonGenerator g, Event e) throws IOException {
        write(g, e, Set.of());
    }

    /**
     * As {@link #write(JsonGenerator, Event)}, with the props named in {@code numericProps} written
     * as JSON numbers (their text as is), for importers whose data has numbers; the caller
     * guarantees that their text is a JSON number.
     */
    public static void write(JsonGenerator g, Event e, Set<String> numericProps)
            throws IOException {
        g.writeStartObject();
        g.writeStringField("eventId", e.eventId);
        g.writeStringField("userId", e.userId);
        g.writeStringField("sessionId", e.sessionId);
        g.writeNumberField("ts", e.ts);
        g.writeStringField("type", e.type);
        if (e.page != null) {
            g.writeStringField("page", e.page);
        }
        if (e.target != null) {
            g.writeStringField("target", e.target);
        }
        if (e.props != null) {
            g.writeObjectFieldStart("props");
            for (Map.Entry<String, String> p : e.props.entrySet()) {
                if (numericProps.contains(p.getKey())) {
                    g.writeFieldName(p.getKey());
                    g.writeNumber(p.getValue());
                } else {
                    g.writeStringField(p.getKey(), p.getValue());
                }
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    public static byte[] toJsonBytes(Event e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(192);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            write(g, e);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    public static String toJson(Event e) {
        return new String(toJsonBytes(e), StandardCharsets.UTF_8);
    }
}
