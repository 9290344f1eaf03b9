package io.guidance.cli.importer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.guidance.event.Event;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * Writes events as SPEC section 1 JSON Lines: one object per line, fields in the order {@code eventId, userId,
 * sessionId, ts, type, page, target, props}, absent optional fields left out.
 *
 * <p>A fixed field order keeps imported files diffable and their checksums stable across runs. Every {@code props}
 * value is written as a JSON string, which is what the importers put there (ids are text, not numbers to add up).
 */
public final class EventJsonLines {

    private static final JsonFactory FACTORY = new JsonFactory();

    private EventJsonLines() {}

    /** Writes {@code events} in the order given, each followed by a newline. */
    public static void write(Iterable<Event> events, Writer out) throws IOException {
        JsonGenerator g = FACTORY.createGenerator(out);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        g.setRootValueSeparator(null); // lines are separated by the newline written below, not Jackson's space
        for (Event e : events) {
            writeEvent(g, e);
            g.writeRaw('\n');
        }
        g.close();
    }

    /**
     * Writes {@code events} to {@code file} through a temporary file in the same directory, so that a failed import
     * never leaves a truncated file that a later replay would take for a whole dataset.
     */
    public static void write(Iterable<Event> events, Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        // Not Files.createTempFile: its owner-only permissions would carry over to the result.
        Path tmp = dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                write(events, out);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeEvent(JsonGenerator g, Event e) throws IOException {
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
                g.writeStringField(p.getKey(), p.getValue());
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }
}
