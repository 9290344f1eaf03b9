package io.guidance.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code guidance discover} end to end through the command's main entry, on the CDNOW sample. */
class DiscoverCommandTest {
    @TempDir static Path dir;
    static Path events;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return GuidanceCli.run(
                args, new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8));
    }

    private String out() {
        return out.toString(UTF_8);
    }

    private String err() {
        return err.toString(UTF_8);
    }

    @BeforeAll
    static void importTheSample() {
        events = dir.resolve("cd.jsonl");
        Path sample = null;
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("data/samples/cdnow-sample.txt"))) {
                sample = d.resolve("data/samples/cdnow-sample.txt");
                break;
            }
        }
        int code =
                GuidanceCli.run(
                        new String[] {
                            "import", "cdnow", sample.toString(), "--out", events.toString()
                        },
                        new PrintStream(new ByteArrayOutputStream(), true, UTF_8),
                        new PrintStream(new ByteArrayOutputStream(), true, UTF_8));
        assertThat(code).isZero();
    }

    @Test
    void ranksWritesTheOutputsAndSuggestsARuleThatValidates() throws Exception {
        Path outDir = dir.resolve("discovery");

        int code =
                run(
                        "discover",
                        "--events",
                        events.toString(),
                        "--retention",
                        "30d-365d",
                        "--counts",
                        "1-5",
                        "--days",
                        "1,7,14,30",
                        "--out",
                        outDir.toString(),
                        "--top",
                        "5");

        assertThat(code).as(err()).isZero();
        assertThat(err()).contains("discover: read 6,503 events (0 bad lines), 2,000 users");
        List<String> lines = out().lines().toList();
        assertThat(lines.get(0)).startsWith("6,503 events, 2,000 users, cohort 2,000");
        assertThat(lines.get(1)).matches("rank +action +N +D +phi +band +above .*flag");
        // the table's rows are the first cells of cells.jsonl, in order
        List<String> cells = Files.readAllLines(outDir.resolve("cells.jsonl"));
        assertThat(cells).hasSize(5 * 4);
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < 5; i++) {
            JsonNode c = json.readTree(cells.get(i));
            String[] row = lines.get(2 + i).trim().split(" +");
            assertThat(row[0]).isEqualTo(Integer.toString(i + 1));
            assertThat(row[1]).isEqualTo(c.get("action").asText());
            assertThat(row[2]).isEqualTo(c.get("count").asText());
            assertThat(row[3]).isEqualTo(c.get("days").asText());
            assertThat(row[4])
                    .isEqualTo(String.format(Locale.ROOT, "%.3f", c.get("phi").asDouble()));
            double share = c.get("shareAbove").asDouble();
            assertThat(lines.get(2 + i).endsWith("rare") || lines.get(2 + i).endsWith("common"))
                    .isEqualTo(share < 0.05 || share > 0.95);
        }
        assertThat(lines.get(7)).startsWith("20 cells -> ");
        assertThat(lines.get(8)).startsWith("suggested rule purchase-");
        assertThat(outDir.resolve("report.html")).isNotEmptyFile();

        ByteArrayOutputStream validated = new ByteArrayOutputStream();
        int valid =
                GuidanceCli.run(
                        new String[] {
                            "rules", "validate", outDir.resolve("suggested-rules.yaml").toString()
                        },
                        new PrintStream(validated, true, UTF_8),
                        new PrintStream(validated, true, UTF_8));
        assertThat(valid).as(validated.toString(UTF_8)).isZero();
    }

    @Test
    void aDayLongerThanTheRetentionStartIsAUsageError() {
        int code =
                run(
                        "discover",
                        "--events",
                        events.toString(),
                        "--out",
                        dir.resolve("x").toString(),
                        "--retention",
                        "7d-14d",
                        "--days",
                        "1,7,8");
        assertThat(code).isEqualTo(2);
        assertThat(err())
                .startsWith(
                        "guidance discover: --days 8 is longer than the retention window's start (7d)")
                .contains("usage:")
                .doesNotContain("\tat ");
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @Test
    void malformedListsAndOptionsAreUsageErrors() {
        assertThat(run("discover", "--events", events.toString(), "--out", "x", "--counts", "1-"))
                .isEqualTo(2);
        assertThat(err())
                .startsWith("guidance discover: --counts must list whole numbers from 1")
                .contains("usage:");
        err.reset();
        assertThat(run("discover", "--events", events.toString(), "--out", "x", "--top", "0"))
                .isEqualTo(2);
        assertThat(err()).startsWith("guidance discover: --top must be at least 1");
        err.reset();
        assertThat(run("discover", "--out", "x")).isEqualTo(2);
        assertThat(err()).startsWith("guidance discover: --events is required\n");
        err.reset();
        assertThat(
                        run(
                                "discover",
                                "--events",
                                events.toString(),
                                "--out",
                                "x",
                                "--frobnicate",
                                "1"))
                .isEqualTo(2);
        assertThat(err()).startsWith("guidance discover: unknown option --frobnicate");
        err.reset();
        assertThat(run("discover", "--events", dir.resolve("nope").toString(), "--out", "x"))
                .isEqualTo(1);
        assertThat(err())
                .isEqualTo("guidance discover: " + dir.resolve("nope") + ": no such file\n");
    }

    @Test
    void anUnknownActionIsAUsageError() {
        int code =
                run(
                        "discover",
                        "--events",
                        events.toString(),
                        "--out",
                        dir.resolve("y").toString(),
                        "--actions",
                        "purchase,friend_added",
                        "--days",
                        "1",
                        "--counts",
                        "1");
        assertThat(code).isEqualTo(2);
        assertThat(err())
                .contains(
                        "--actions names friend_added, but the input has no events of that type;"
                                + " it has purchase")
                .contains("usage:")
                .doesNotContain("\tat ");
        assertThat(dir.resolve("y")).doesNotExist();
    }

    @Test
    void anEmptyCohortIsAUsageError() {
        // the sample spans 18 months: nobody was first seen two years before its last event
        int code =
                run(
                        "discover",
                        "--events",
                        events.toString(),
                        "--out",
                        dir.resolve("z").toString(),
                        "--retention",
                        "700d-730d",
                        "--days",
                        "1",
                        "--counts",
                        "1");
        assertThat(code).isEqualTo(2);
        assertThat(err())
                .contains(
                        "the cohort is empty: no user was first seen at least 730d before the last"
                                + " event (1998-06-30T00:00:00Z); choose a shorter --retention")
                .contains("usage:");
        assertThat(dir.resolve("z")).doesNotExist();
    }

    @Test
    void aFileOfOnlyBadLinesIsAnInputError() throws Exception {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "not json\n{\"eventId\":\"e\"}\n\n");
        int code =
                run("discover", "--events", bad.toString(), "--out", dir.resolve("w").toString());
        assertThat(code).isEqualTo(1);
        assertThat(err())
                .contains("no events in " + bad + " (2 bad lines)")
                .doesNotContain("\tat ");
        assertThat(dir.resolve("w")).doesNotExist();
    }
}
