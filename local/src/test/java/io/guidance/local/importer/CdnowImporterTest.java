package io.guidance.local.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.guidance.event.Event;
import io.guidance.event.EventParser;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SPEC section 8's CDNOW mapping, on the shipped sample and on hand-written bad lines. */
class CdnowImporterTest {
    @TempDir Path dir;

    static Path sample() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path s = d.resolve("data/samples/cdnow-sample.txt");
            if (Files.isRegularFile(s)) {
                return s;
            }
        }
        throw new IllegalStateException("data/samples/cdnow-sample.txt not found");
    }

    @Test
    void theShippedSampleRowByRow() throws IOException {
        List<String> rows = Files.readAllLines(sample(), StandardCharsets.US_ASCII);
        BadLines bad = new BadLines();
        List<Event> events = new CdnowImporter().read(sample(), bad);

        assertThat(bad.count()).isZero();
        assertThat(events).hasSize(rows.size()).hasSize(6503);
        Set<String> users = new HashSet<>();
        Set<String> sessions = new HashSet<>();
        for (int i = 0; i < rows.size(); i++) {
            // the row as the SPEC describes it: customer date n_cds amount, whitespace separated
            String[] f = rows.get(i).trim().split("\\s+");
            Event e = events.get(i);
            long day =
                    LocalDate.of(
                                    Integer.parseInt(f[1].substring(0, 4)),
                                    Integer.parseInt(f[1].substring(4, 6)),
                                    Integer.parseInt(f[1].substring(6, 8)))
                            .atStartOfDay(ZoneOffset.UTC)
                            .toInstant()
                            .toEpochMilli();
            assertThat(e.eventId).isEqualTo("cd-" + (i + 1));
            assertThat(e.userId).isEqualTo("cd-" + f[0]);
            assertThat(e.sessionId).isEqualTo("cd-" + f[0] + "-" + f[1]);
            assertThat(e.ts).isEqualTo(day);
            assertThat(e.type).isEqualTo("purchase");
            assertThat(e.page).isNull();
            assertThat(e.target).isNull();
            assertThat(e.props)
                    .containsExactly(
                            java.util.Map.entry("cds", f[2]), java.util.Map.entry("amount", f[3]));
            users.add(e.userId);
            sessions.add(e.sessionId);
        }
        assertThat(users).hasSize(2000).contains("cd-00001", "cd-02000");
        assertThat(events.get(0).ts).isEqualTo(852_076_800_000L); // 1997-01-01T00:00Z
    }

    @Test
    void writtenAsEventsWithNumericProps() throws IOException {
        CdnowImporter importer = new CdnowImporter();
        Path out = dir.resolve("cd.jsonl");
        EventJsonLines.write(importer.readSorted(sample()), out, importer.numericProps());
        List<String> lines = Files.readAllLines(out);
        assertThat(lines).hasSize(6503);
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertThat(first.get("eventId").asText()).isEqualTo("cd-1");
        assertThat(first.get("props").get("cds").isIntegralNumber()).isTrue();
        assertThat(first.get("props").get("cds").asInt()).isEqualTo(1);
        assertThat(first.get("props").get("amount").isNumber()).isTrue();
        assertThat(first.get("props").get("amount").decimalValue()).isEqualByComparingTo("11.77");
        // the job's own parser takes every line
        EventParser parser = new EventParser();
        assertThat(lines).allMatch(l -> parser.parse(l.getBytes(StandardCharsets.UTF_8)).ok());
        // sorted by ts, equal ts in file order
        for (int i = 1; i < lines.size(); i++) {
            assertThat(new ObjectMapper().readTree(lines.get(i)).get("ts").asLong())
                    .isGreaterThanOrEqualTo(
                            new ObjectMapper().readTree(lines.get(i - 1)).get("ts").asLong());
        }
    }

    @Test
    void badLinesAreSkippedCountedAndNamed() throws IOException {
        Path file = dir.resolve("cdnow.txt");
        try (OutputStream o = Files.newOutputStream(file)) {
            o.write(
                    String.join(
                                    "\n",
                                    " 00001 19970101  1   11.77", // 1 good
                                    " 00002 19970231  1   12.00", // 2 no such day
                                    " 00003 19970112  1", // 3 three fields
                                    "", // 4 blank: no row, not bad
                                    " 00004 19970112  x   12.00", // 5 n_cds not a number
                                    " 00005 19970112  1   -3.00", // 6 negative amount
                                    " 00006 1997-01-12  1   3.00", // 7 date with dashes
                                    "")
                            .getBytes(StandardCharsets.US_ASCII));
            o.write(new byte[] {'0', '7', ' ', (byte) 0xFF, ' ', '1', '\n'}); // 8 not UTF-8
            o.write(" 00008 19970113  2   20.50\r\n".getBytes(StandardCharsets.US_ASCII)); // 9
        }
        BadLines bad = new BadLines();
        List<Event> events = new CdnowImporter().read(file, bad);

        assertThat(events).extracting(e -> e.eventId).containsExactly("cd-1", "cd-9");
        assertThat(events.get(1).props.get("amount")).isEqualTo("20.50");
        assertThat(bad.count()).isEqualTo(6);
        assertThat(bad.lineNumbers()).isEqualTo("2, 3, 5, 6, 7, 8");
        assertThat(bad.first().get(0).message())
                .contains(
                        "cdnow.txt line 2: date must be a day written YYYYMMDD, got \"19970231\"");
        assertThat(bad.first().get(1).message()).contains("line 3: expected 4 fields");
        assertThat(bad.first().get(2).message()).contains("n_cds must be a non-negative integer");
        assertThat(bad.first().get(3).message()).contains("amount must be a non-negative decimal");
        assertThat(bad.first().get(5).message()).endsWith("line 8: not valid UTF-8 text");
        // the strict read stops at the first
        assertThatThrownBy(() -> new CdnowImporter().read(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 2:");
    }

    @Test
    void onlyTheFirstFewBadLinesAreKeptButAllAreCounted() throws IOException {
        Path file = dir.resolve("cdnow.txt");
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 25; i++) {
            s.append("bad\n");
        }
        Files.writeString(file, s);
        BadLines bad = new BadLines();
        assertThat(new CdnowImporter().read(file, bad)).isEmpty();
        assertThat(bad.count()).isEqualTo(25);
        assertThat(bad.first()).hasSize(BadLines.KEPT);
        assertThat(bad.lineNumbers()).isEqualTo("1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ...");
    }
}
