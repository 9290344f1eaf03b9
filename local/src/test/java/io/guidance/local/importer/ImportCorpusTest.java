package io.guidance.local.importer;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.Event;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input corpus of the importers (README "Data", SPEC section 6): for each dataset a file in
 * {@code src/test/resources/corpus/import/} with bad rows among good ones, and in {@code cases.tsv}
 * how many events the good rows make and, for each bad row, its line number and a fragment of the
 * reason. A bad row is skipped, counted and reported with the file and its line; the rest is
 * imported.
 */
class ImportCorpusTest {
    static final String DIR = "/corpus/import/";

    record Case(String dataset, String file, int good, Map<Long, String> bad) {
        @Override
        public String toString() {
            return dataset + " " + file;
        }
    }

    static Stream<Arguments> corpus() {
        Map<String, Case> cases = new LinkedHashMap<>();
        for (String line :
                new String(resource(DIR + "cases.tsv"), StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            Case c = cases.get(f[1]);
            if (f[2].equals("good")) {
                Map<Long, String> bad = c == null ? new LinkedHashMap<>() : c.bad();
                cases.put(f[1], new Case(f[0], f[1], Integer.parseInt(f[3]), bad));
            } else {
                if (c == null) {
                    c = new Case(f[0], f[1], -1, new LinkedHashMap<>());
                    cases.put(f[1], c);
                }
                c.bad().put(Long.parseLong(f[2]), f[3]);
            }
        }
        return cases.values().stream().map(Arguments::of);
    }

    static byte[] resource(String path) {
        try (InputStream in = ImportCorpusTest.class.getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void badRowsAreCountedAndReportedWithTheirLineAndTheRestIsImported(Case c, @TempDir Path dir)
            throws Exception {
        Path file = Files.write(dir.resolve(c.file()), resource(DIR + c.file()));
        DatasetImporter importer = DatasetImporter.forName(c.dataset()).orElseThrow();
        BadLines bad = new BadLines();

        List<Event> events = importer.readSorted(file, bad);

        assertThat(events).hasSize(c.good());
        assertThat(bad.count()).isEqualTo(c.bad().size());
        assertThat(bad.first()).hasSize(Math.min(c.bad().size(), BadLines.KEPT));
        List<Long> lines = new ArrayList<>();
        bad.first().forEach(b -> lines.add(b.lineNumber()));
        assertThat(lines).containsExactlyElementsOf(c.bad().keySet());
        for (BadLines.BadLine b : bad.first()) {
            assertThat(b.message())
                    .startsWith(file + " line " + b.lineNumber() + ": ")
                    .contains(c.bad().get(b.lineNumber()));
        }
    }
}
