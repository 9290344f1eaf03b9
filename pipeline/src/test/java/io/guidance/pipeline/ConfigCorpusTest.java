package io.guidance.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input corpus of the job's settings (README "Configuration"): config files in {@code
 * src/test/resources/corpus/config/} and {@code --key value} flags, one case per row of {@code
 * cases.tsv}. A bad one is an {@link IllegalArgumentException} whose one-line message names the key
 * (or the file) and the value, which the job's main prints with its usage and exit code 2; never an
 * I/O exception with a stack trace.
 */
class ConfigCorpusTest {
    static final String DIR = "/corpus/config/";
    private static final Pattern FILE = Pattern.compile("\\{([a-z0-9.-]+)\\}");

    record Case(String args, String startsWith, String contains, String what) {
        @Override
        public String toString() {
            return args + " (" + what + ")";
        }
    }

    static Stream<Arguments> corpus() {
        List<Arguments> cases = new ArrayList<>();
        for (String line :
                new String(resource(DIR + "cases.tsv"), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                String[] f = line.split("\t", -1);
                cases.add(Arguments.of(new Case(f[0], f[1], f[2], f[3])));
            }
        }
        return cases.stream();
    }

    static byte[] resource(String path) {
        try (InputStream in = ConfigCorpusTest.class.getResourceAsStream(path)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {NAME} becomes the path of a copy of corpus file NAME (no copy when there is none). */
    static String resolve(String text, Path dir) throws IOException {
        Matcher m = FILE.matcher(text);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            Path p = dir.resolve(m.group(1));
            byte[] bytes = resource(DIR + m.group(1));
            if (bytes != null) {
                Files.write(p, bytes);
            }
            m.appendReplacement(b, Matcher.quoteReplacement(p.toString()));
        }
        return m.appendTail(b).toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void eachSettingGetsOneClearMessage(Case c, @TempDir Path dir) throws Exception {
        String[] args = resolve(c.args(), dir).split(" ");
        Throwable t = catchThrowable(() -> GuidanceJob.parseArgs(args));
        if (c.startsWith().equals("ok")) {
            assertThat(t).isNull();
            return;
        }
        assertThat(t).isInstanceOf(IllegalArgumentException.class);
        assertThat(t.getMessage()).startsWith(resolve(c.startsWith(), dir));
        assertThat(t.getMessage()).contains(c.contains()).doesNotContain("\n");
    }
}
