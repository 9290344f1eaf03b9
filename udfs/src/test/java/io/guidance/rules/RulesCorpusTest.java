package io.guidance.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input corpus of rules files (SPEC section 3): one file per case in {@code
 * src/test/resources/corpus/rules/}, and in {@code cases.tsv} every problem the parser must report
 * for it: rule id, field, line and a fragment of the message. A file's problems are exactly its
 * rows; nothing else is thrown. The files are read as bytes from disk, as {@code rules validate}
 * and the job read them.
 */
public class RulesCorpusTest {
    public static final String DIR = "/corpus/rules/";

    /**
     * One expected problem; {@code ruleId} and {@code field} are null where the problem has none.
     */
    public record Expected(String ruleId, String field, int line, String fragment) {}

    /** One file and every problem promised for it (none for a valid file). */
    public record Case(String file, List<Expected> problems, String what) {
        public byte[] bytes() {
            return resource(DIR + file);
        }

        public boolean valid() {
            return problems.isEmpty();
        }

        @Override
        public String toString() {
            return file + " (" + what + ")";
        }
    }

    public static List<Case> cases() {
        Map<String, Case> cases = new LinkedHashMap<>();
        String tsv = new String(resource(DIR + "cases.tsv"), StandardCharsets.UTF_8);
        for (String line : tsv.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            Case c = cases.computeIfAbsent(f[0], file -> new Case(file, new ArrayList<>(), f[5]));
            if (!f[1].equals("ok")) {
                c.problems()
                        .add(
                                new Expected(
                                        f[1].equals("-") ? null : f[1],
                                        f[2].equals("-") ? null : f[2],
                                        Integer.parseInt(f[3]),
                                        f[4]));
            }
        }
        return List.copyOf(cases.values());
    }

    static Stream<Arguments> corpus() {
        return cases().stream().map(Arguments::of);
    }

    public static byte[] resource(String path) {
        try (InputStream in = RulesCorpusTest.class.getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asserts that {@code problems} are exactly the promised ones, in any order. */
    public static void assertProblems(List<RuleProblem> problems, List<Expected> expected) {
        assertThat(problems).as("problems: %s", problems).hasSameSizeAs(expected);
        for (Expected e : expected) {
            assertThat(problems)
                    .as("expected %s among %s", e, problems)
                    .anySatisfy(
                            p -> {
                                assertThat(p.ruleId).isEqualTo(e.ruleId());
                                assertThat(p.field).isEqualTo(e.field());
                                assertThat(p.line).isEqualTo(e.line());
                                assertThat(p.message).contains(e.fragment());
                            });
        }
    }

    @Test
    void theCorpusHoldsAValidFileAndBadOnes() {
        assertThat(cases()).filteredOn(Case::valid).extracting(Case::file).contains("good.yaml");
        assertThat(cases()).filteredOn(c -> !c.valid()).hasSizeGreaterThan(20);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void eachFileGivesExactlyItsPromisedProblems(Case c, @TempDir Path dir) throws Exception {
        Path file = dir.resolve(c.file());
        Files.write(file, c.bytes());
        if (c.valid()) {
            assertThatCode(() -> RulesParser.parseFile(file)).doesNotThrowAnyException();
            return;
        }
        RuleValidationException e =
                catchThrowableOfType(
                        RuleValidationException.class, () -> RulesParser.parseFile(file));
        assertThat(e).as("a RuleValidationException").isNotNull();
        assertProblems(e.problems(), c.problems());
        assertThat(e.getMessage()).startsWith(file.toString() + ": ");
    }
}
