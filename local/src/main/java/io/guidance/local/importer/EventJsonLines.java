package io.guidance.local.importer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.guidance.event.Event;
import io.guidance.event.EventJson;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes events as SPEC section 1 JSON Lines: one object per line, fields in the order {@code
 * eventId, userId, sessionId, ts, type, page, target, props}, absent optional fields left out.
 *
 * <p>A fixed field order ({@link EventJson}) keeps imported files diffable and their checksums
 * stable across runs.
 */
public final class EventJsonLines {

    private static final JsonFactory FACTORY = new JsonFactory();

    private EventJsonLines() {}

    /** Writes {@code events} in the order given, each followed by a newline. */
    public static void write(Iterable<Event> events, Writer out) throws IOException {
        JsonGenerator g = FACTORY.createGenerator(out);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        g.setRootValueSeparator(
                null); // lines are separated by the newline written below, not Jackson's space
        for (Event e : events) {
            EventJson.write(g, e);
            g.writeRaw('\n');
        }
        g.close();
    }

    /**
     * Writes {@code events} to {@code file} through a temporary file in the same directory, so that
     * a failed import never leaves a truncated file that a later replay would take for a whole
     * dataset.
     */
    public static void write(Iterable<Event> events, Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        // Not Files.createTempFile: its owner-only permissions would carry over to the result.
        Path tmp =
                dir.resolve(
                        "." + target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                write(events, out);
            }
            try {
                Files.move(
                        tmp,
                        target,
                        StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
