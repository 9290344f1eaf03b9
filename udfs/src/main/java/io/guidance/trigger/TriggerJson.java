package io.guidance.trigger;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON form of a trigger that Redis, the replay output and front ends see (SPEC section 4), in
 * a fixed field order.
 */
public final class TriggerJson {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TriggerJson() {}

    public static String toJson(Trigger t) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("triggerId", t.triggerId);
            g.writeStringField("ruleId", t.ruleId);
            g.writeStringField("guide", t.guide);
            g.writeStringField("kind", t.kind);
            g.writeStringField("userId", t.userId);
            if (t.sessionId != null) {
                g.writeStringField("sessionId", t.sessionId);
            }
            g.writeNumberField("ts", t.ts);
            g.writeNumberField("expiresAt", t.expiresAt);
            g.writeNumberField("priority", t.priority);
            g.writeObjectFieldStart("reason");
            if (t.reason != null) {
                // sorted: the map's order does not survive Flink's serializer, and output must be
                // stable
                for (Map.Entry<String, String> e : new TreeMap<>(t.reason).entrySet()) {
                    g.writeFieldName(e.getKey());
                    g.writeRawValue(e.getValue());
                }
            }
            g.writeEndObject();
            g.writeStringField("status", t.status);
            if (t.variant != null) {
                g.writeStringField("variant", t.variant);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    public static Trigger fromJson(String json) {
        try {
            JsonNode n = MAPPER.readTree(json);
            Trigger t = new Trigger();
            t.triggerId = n.path("triggerId").asText(null);
            t.ruleId = n.path("ruleId").asText(null);
            t.guide = n.path("guide").asText(null);
            t.kind = n.path("kind").asText(null);
            t.userId = n.path("userId").asText(null);
            t.sessionId = n.hasNonNull("sessionId") ? n.get("sessionId").asText() : null;
            t.ts = n.path("ts").asLong();
            t.expiresAt = n.path("expiresAt").asLong();
            t.priority = n.path("priority").asInt();
            Map<String, String> reason = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.path("reason").fields();
                    it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                reason.put(e.getKey(), e.getValue().toString());
            }
            t.reason = reason;
            t.status = n.path("status").asText(null);
            t.variant = n.hasNonNull("variant") ? n.get("variant").asText() : null;
            return t;
        } catch (IOException e) {
            throw new IllegalArgumentException("not a trigger: " + e.getMessage(), e);
        }
    }

    /** The JSON text of a string, for {@link Trigger#reason} values. */
    public static String quote(String s) {
        try {
            return MAPPER.writeValueAsString(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
