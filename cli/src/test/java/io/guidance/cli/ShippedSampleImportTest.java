package io.guidance.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The samples the repository ships for the demo import whole, in order. */
class ShippedSampleImportTest {

    @TempDir Path dir;

    @Test
    void taobaoSampleImportsEveryRowInTimeOrder() throws IOException {
        Path sample = samples().resolve("taobao-sample.csv");
        long dataRows;
        try (Stream<String> lines = Files.lines(sample, UTF_8)) {
            dataRows = lines.skip(1).filter(l -> !l.isBlank()).count();
        }
        Path dest = dir.resolve("taobao.jsonl");
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code =
                ImportCommand.run(
                        new String[] {"taobao", sample.toString(), "--out", dest.toString()},
                        new PrintStream(new ByteArrayOutputStream(), true, UTF_8),
                        new PrintStream(err, true, UTF_8));

        assertThat(code).as(err.toString(UTF_8)).isZero();
        List<String> out = Files.readAllLines(dest, UTF_8);
        assertThat(dataRows).isGreaterThan(1000);
        assertThat(out).hasSize((int) dataRows);
        ObjectMapper json = new ObjectMapper();
        long previous = Long.MIN_VALUE;
        Set<String> ids = new HashSet<>();
        Set<String> users = new HashSet<>();
        for (String line : out) {
            JsonNode e = json.readTree(line);
            long ts = e.get("ts").asLong();
            assertThat(ts).as(line).isGreaterThanOrEqualTo(previous);
            previous = ts;
            ids.add(e.get("eventId").asText());
            users.add(e.get("userId").asText());
        }
        assertThat(ids).hasSize(out.size());
        assertThat(users).hasSize(120);
    }

    /** data/samples at the repository root, found from the module directory Maven runs tests in. */
    private static Path samples() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("data").resolve("samples");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(
                "data/samples not found above " + Path.of("").toAbsolutePath());
    }
}
