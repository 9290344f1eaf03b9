package io.guidance.bench.report;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The markdown every benchmark section writes: tables, numbers formatted the same way on every
 * machine, and the line that says where and how a section was run.
 */
public final class Markdown {
    private Markdown() {}

    /** {@link String#format} in {@link Locale#ROOT}: the pages read the same on every machine. */
    public static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }

    /** A whole number with thousands separators: {@code 1,234,567}. */
    public static String count(long n) {
        return format("%,d", n);
    }

    /** A measurement rounded to a whole number, with thousands separators: {@code 54,321}. */
    public static String rounded(double v) {
        return format("%,.0f", v);
    }

    /** Text as inline code in a table cell: a {@code |} would otherwise end the cell. */
    public static String code(String text) {
        return "`" + text.replace("|", "\\|") + "`";
    }

    /** A table whose columns are added with {@link Table#left} and {@link Table#right}. */
    public static Table table() {
        return new Table(false);
    }

    /** A table of facts, one per row: a name and its value, with no column titles. */
    public static Table facts() {
        return new Table(true).left("").left("");
    }

    /**
     * The closing line of a section: when and on what it ran, how long it took, and the command
     * that measures it again. {@code jvm} describes the JVM as the section needs (its options, or
     * its heap).
     */
    public static String runLine(String jvm, long totalMillis, String section, String options) {
        return format(
                "Run %s on %s (`nproc` %s, %s, Java %s, %s), %,d s in all. "
                        + "Reproduce: `bench/run.sh --sections %s` with the options `%s`.%n",
                ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
                MachineFacts.cpuModel(),
                MachineFacts.command("nproc"),
                MachineFacts.memTotal(),
                System.getProperty("java.version"),
                jvm,
                totalMillis / 1000,
                section,
                options);
    }

    /**
     * A GitHub-flavoured markdown table: a title row, an alignment row, then one line per row.
     * Cells are written as given ({@link #code} escapes those that may hold a {@code |}).
     */
    public static final class Table {
        private final boolean untitled;
        private final List<String> titles = new ArrayList<>();
        private final List<String> alignments = new ArrayList<>();
        private final List<List<String>> rows = new ArrayList<>();

        private Table(boolean untitled) {
            this.untitled = untitled;
        }

        /** Adds a left-aligned column (text). */
        public Table left(String title) {
            titles.add(title);
            alignments.add("---");
            return this;
        }

        /** Adds a right-aligned column (numbers). */
        public Table right(String title) {
            titles.add(title);
            alignments.add("---:");
            return this;
        }

        /** Adds a row: one cell per column, each written as {@link String#valueOf}. */
        public Table row(Object... cells) {
            if (cells.length != titles.size()) {
                throw new IllegalArgumentException(
                        "a row of " + cells.length + " cells in a table of " + titles.size());
            }
            List<String> row = new ArrayList<>();
            for (Object c : cells) {
                row.add(String.valueOf(c));
            }
            rows.add(row);
            return this;
        }

        /** The table, every line ending in a newline. */
        public String render() {
            StringBuilder md = new StringBuilder();
            if (untitled) {
                md.append("|").append(" |".repeat(titles.size())).append('\n');
            } else {
                line(md, titles);
            }
            md.append('|').append(String.join("|", alignments)).append("|\n");
            for (List<String> row : rows) {
                line(md, row);
            }
            return md.toString();
        }

        @Override
        public String toString() {
            return render();
        }

        private static void line(StringBuilder md, List<String> cells) {
            md.append("| ").append(String.join(" | ", cells)).append(" |\n");
        }
    }
}
