package io.guidance.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark command's option routing and the page it rebuilds from the sections' kept results.
 */
class BenchmarksTest {

    @Test
    void optionsGoToTheSectionTheyName() {
        Benchmarks.Options o =
                Benchmarks.Options.parse(
                        new String[] {
                            "--sections",
                            "latency,throughput",
                            "--events",
                            "1000",
                            "--latency-seconds",
                            "30",
                            "--micro-forks",
                            "0",
                            "--soak-seconds",
                            "60",
                            "--soak-max-rate",
                            "20000",
                            "--runs",
                            "2"
                        });
        assertThat(o.sections).containsExactly("latency", "throughput");
        assertThat(o.throughputArgs).containsExactly("--events", "1000", "--runs", "2");
        assertThat(o.sectionArgs.get("latency")).containsExactly("--seconds", "30");
        assertThat(o.sectionArgs.get("micro")).containsExactly("--forks", "0");
        assertThat(o.sectionArgs.get("soak"))
                .containsExactly("--seconds", "60", "--max-rate", "20000");
        assertThat(o.sectionArgs.get("state")).isEmpty();
    }

    @Test
    void allSectionsByDefaultAndUnknownOnesRefused() {
        assertThat(Benchmarks.Options.parse(new String[0]).sections).isEqualTo(Benchmarks.SECTIONS);
        assertThatThrownBy(() -> Benchmarks.Options.parse(new String[] {"--sections", "speed"}))
                .hasMessageContaining("unknown section 'speed'");
        assertThatThrownBy(() -> Benchmarks.Options.parse(new String[] {"--events"}))
                .hasMessageContaining("expected --option value");
    }

    @Test
    void thePageSummarizesEveryKeptSectionInPageOrder(@TempDir Path dir) throws Exception {
        Files.writeString(
                dir.resolve("state.md"),
                new Benchmarks.Fragment("State: 200 bytes per user.", "## State\n\n| backend |\n")
                        .file());
        Files.writeString(
                dir.resolve("throughput.md"),
                new Benchmarks.Fragment("Throughput: fast.", "## Throughput\n\ntable\n").file());

        String page = Benchmarks.page(dir);

        assertThat(page)
                .contains(
                        "- Throughput: fast.\n- rules: not measured yet.\n- experiments: not measured yet.\n"
                                + "- latency: not measured yet.\n"
                                + "- soak: not measured yet.\n"
                                + "- State: 200 bytes per user.\n");
        assertThat(page.indexOf("## Throughput")).isLessThan(page.indexOf("## State"));
        assertThat(page).contains("## Machine").doesNotContain("<!-- headline");
        List<String> headings = page.lines().filter(l -> l.startsWith("## ")).toList();
        assertThat(headings)
                .containsExactly(
                        "## Reproduce", "## Summary", "## Machine", "## Throughput", "## State");
    }
}
