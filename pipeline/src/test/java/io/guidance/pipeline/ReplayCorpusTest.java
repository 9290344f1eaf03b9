package io.guidance.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.DeadLetter;
import io.guidance.event.SourceRecord;
import io.guidance.pipeline.replay.Replay;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bad-input corpus of replay files (SPEC sections 1 and 6, README "Bad input loses nothing"):
 * {@code src/test/resources/corpus/replay/mixed.jsonl} holds bad lines among good ones, {@code
 * cases.tsv} the dead-letter reason promised for each bad line by its number, {@code triggers.txt}
 * the triggers the good lines make. Every bad line is a dead letter with its line number and bytes;
 * the rest is replayed; read = events + dead letters.
 */
class ReplayCorpusTest {
    static final String DIR = "/corpus/replay/";

    record Bad(long line, String reason, String fragment) {}

    static byte[] resource(String path) {
        try (InputStream in = ReplayCorpusTest.class.getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String[]> rows(String file) {
        List<String[]> rows = new ArrayList<>();
        for (String line : new String(resource(DIR + file), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                rows.add(line.split("\t", -1));
            }
        }
        return rows;
    }

    @Test
    void badLinesAreDeadLettersOfTheirLineAndTheGoodOnesAreReplayed(@TempDir Path dir)
            throws Exception {
        byte[] bytes = resource(DIR + "mixed.jsonl");
        Path events = Files.write(dir.resolve("mixed.jsonl"), bytes);
        Path rulesFile = Files.write(dir.resolve("rules.yaml"), resource(DIR + "rules.yaml"));
        List<Bad> bad = new ArrayList<>();
        for (String[] r : rows("cases.tsv")) {
            bad.add(new Bad(Long.parseLong(r[0]), r[1], r[2]));
        }
        // the lines of the file that hold more than spaces and tabs, counted here independently
        long nonBlank = 0;
        for (String line : new String(bytes, StandardCharsets.ISO_8859_1).split("\n", -1)) {
            if (!line.replace("\r", "").replace(" ", "").replace("\t", "").isEmpty()) {
                nonBlank++;
            }
        }

        List<SourceRecord> records = Replay.readRecords(events);
        RuleSet rules = RulesParser.parseFile(rulesFile);
        Replay.Outcome outcome = Replay.run(records, rules, JobConfig.defaults());

        assertThat(outcome.recordsRead).isEqualTo(nonBlank);
        assertThat(outcome.deadLetters).hasSameSizeAs(bad);
        for (Bad b : bad) {
            assertThat(outcome.deadLetters)
                    .as("line %d", b.line())
                    .anySatisfy(
                            d -> {
                                assertThat(d.sourceOffset).isEqualTo(b.line());
                                assertThat(d.sourceTopic).isEqualTo("mixed.jsonl");
                                assertThat(d.reason).isEqualTo(b.reason());
                                assertThat(d.detail).contains(b.fragment());
                            });
        }
        // each dead letter keeps the bytes of its line (the first 64 KiB of a longer one)
        String[] lines = new String(bytes, StandardCharsets.ISO_8859_1).split("\n", -1);
        for (DeadLetter d : outcome.deadLetters) {
            byte[] line = lines[(int) d.sourceOffset - 1].getBytes(StandardCharsets.ISO_8859_1);
            int kept = Math.min(line.length, 64 * 1024);
            assertThat(d.raw).isEqualTo(java.util.Arrays.copyOf(line, kept));
        }
        List<String> expected = new ArrayList<>();
        rows("triggers.txt").forEach(r -> expected.add(r[0]));
        assertThat(outcome.triggers)
                .extracting(t -> t.triggerId)
                .containsExactlyElementsOf(expected);
    }
}
