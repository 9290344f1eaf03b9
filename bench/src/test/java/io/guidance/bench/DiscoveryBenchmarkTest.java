package io.guidance.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.Event;
import io.guidance.event.EventParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiscoveryBenchmarkTest {
    @TempDir Path dir;

    @Test
    void writesTheFirstNEventsOfSuccessiveCopies() throws Exception {
        List<Event> base =
                List.of(
                        new Event("e1", "u1", "s1", 1000, "page_view", null, null, null),
                        new Event("e2", "u2", "s2", 2000, "purchase", null, null, null),
                        new Event("e3", "u1", "s1", 3000, "page_view", null, null, null));
        Path file = dir.resolve("events.jsonl");

        long bytes = DiscoveryBenchmark.write(base, 7, file);

        List<String> lines = Files.readAllLines(file);
        assertThat(bytes).isEqualTo(Files.size(file));
        EventParser parser = new EventParser();
        List<Event> events =
                lines.stream()
                        .map(l -> parser.parse(l.getBytes(StandardCharsets.UTF_8)).event)
                        .toList();
        // copy k: ids with ~k, ts shifted by k seconds
        assertThat(events)
                .extracting(e -> e.eventId + " " + e.userId + " " + e.ts)
                .containsExactly(
                        "e1~0 u1~0 1000",
                        "e2~0 u2~0 2000",
                        "e3~0 u1~0 3000",
                        "e1~1 u1~1 2000",
                        "e2~1 u2~1 3000",
                        "e3~1 u1~1 4000",
                        "e1~2 u1~2 3000");
    }
}
