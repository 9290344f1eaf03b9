package io.guidance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input corpus of the command line (README "Commands"): one command line per row of {@code
 * src/test/resources/corpus/cli/cases.tsv}, with the promised exit code (2 and the usage for a
 * wrong command line, 1 and one sentence for a wrong input) and the exact first line of stderr.
 * Every case ends in a message, never a stack trace, and none starts Kafka, Redis or Flink.
 */
class ArgsCorpusTest {
    static final String DIR = "/corpus/cli/";

    record Case(String args, int code, String firstLine, String secondLine, String what) {
        @Override
        public String toString() {
            return args + " (" + what + ")";
        }
    }

    static Stream<Arguments> corpus() {
        List<Arguments> cases = new ArrayList<>();
        String tsv = new String(resource(DIR + "cases.tsv"), StandardCharsets.UTF_8);
        for (String line : tsv.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            cases.add(Arguments.of(new Case(f[0], Integer.parseInt(f[1]), f[2], f[3], f[4])));
        }
        return cases.stream();
    }

    static byte[] resource(String path) {
        try (InputStream in = ArgsCorpusTest.class.getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void eachCommandLineGetsItsExitCodeAndOneClearMessage(Case c, @TempDir Path dir)
            throws Exception {
        List<String[]> files =
                List.of(
                        new String[] {"{rules}", "rules.yaml"},
                        new String[] {"{badrules}", "bad-rules.yaml"},
                        new String[] {"{latin1rules}", "latin1-rules.yaml"},
                        new String[] {"{events}", "events.jsonl"});
        String line = c.args();
        String first = c.firstLine();
        String second = c.secondLine();
        for (String[] f : files) {
            Path p = Files.write(dir.resolve(f[1]), resource(DIR + f[1]));
            line = line.replace(f[0], p.toString());
            first = first.replace(f[0], p.toString());
        }
        String nope = dir.resolve("nope").toString();
        line =
                line.replace("{nope}", nope)
                        .replace("{out}", dir.resolve("out").toString())
                        .replace("{dir}", dir.toString());
        first = first.replace("{nope}", nope);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code =
                GuidanceCli.run(
                        line.split(" "),
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8));
        String stderr = err.toString(StandardCharsets.UTF_8);
        String[] lines = stderr.split("\n", -1);

        assertThat(code).as(stderr).isEqualTo(c.code());
        assertThat(lines[0]).isEqualTo(first);
        if (!second.equals("-")) {
            assertThat(lines.length).as(stderr).isGreaterThan(1);
            assertThat(lines[1]).startsWith(second);
        }
        assertThat(stderr).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(dir.resolve("out")).doesNotExist();
    }
}
