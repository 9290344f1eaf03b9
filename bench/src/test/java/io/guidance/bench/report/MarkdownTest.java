package io.guidance.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The tables and numbers every benchmark section writes. */
class MarkdownTest {

    @Test
    void aTableHasItsTitlesItsAlignmentsAndOneLinePerRow() {
        String table =
                Markdown.table()
                        .left("graph")
                        .right("events/s")
                        .right("runs")
                        .row("pipeline", Markdown.rounded(123_456.5), 3)
                        .row("CEP", "", 1)
                        .render();

        assertThat(table)
                .isEqualTo(
                        "| graph | events/s | runs |\n"
                                + "|---|---:|---:|\n"
                                + "| pipeline | 123,457 | 3 |\n"
                                + "| CEP |  | 1 |\n");
    }

    @Test
    void aFactsTableHasNoTitles() {
        assertThat(Markdown.facts().row("CPU", "x86").row("`nproc`", 2).render())
                .isEqualTo("| | |\n|---|---|\n| CPU | x86 |\n| `nproc` | 2 |\n");
    }

    @Test
    void aRowMustFillEveryColumn() {
        Markdown.Table t = Markdown.table().left("a").left("b");
        assertThatThrownBy(() -> t.row("only one"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 cells in a table of 2");
    }

    @Test
    void numbersReadTheSameEverywhereAndCodeCellsKeepTheirPipes() {
        assertThat(Markdown.count(1_234_567)).isEqualTo("1,234,567");
        assertThat(Markdown.rounded(0.4)).isEqualTo("0");
        assertThat(Markdown.format("%.2f", 1.005e3)).isEqualTo("1005.00");
        assertThat(Markdown.code("detect | deliver (1/2)")).isEqualTo("`detect \\| deliver (1/2)`");
    }
}
