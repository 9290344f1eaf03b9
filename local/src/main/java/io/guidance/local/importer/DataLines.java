package io.guidance.local.importer;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Reads a delimited text file row by row for the importers, with the line numbers that event ids
 * and error messages are made of.
 *
 * <p>The header is optional (the original Taobao file has none, the copies in ../shared/data add
 * one) and is recognised only on line 1 and only when it equals the expected header exactly. Blank
 * lines are skipped: they carry no row, and a trailing one is common.
 */
final class DataLines {

    /**
     * Receives one data row; throws {@link IllegalArgumentException} with a short reason when the
     * row is malformed.
     */
    @FunctionalInterface
    interface RowHandler {
        void row(long lineNumber, String[] fields);
    }

    private static final int EXCERPT_CHARS = 120;

    private DataLines() {}

    static void read(Path file, String header, char separator, RowHandler handler)
            throws IOException {
        String[] columns = header.split(Pattern.quote(String.valueOf(separator)));
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            long lineNumber = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNumber++;
                if (lineNumber == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1); // byte order mark written by some spreadsheet exports
                }
                if (line.isBlank() || (lineNumber == 1 && line.strip().equals(header))) {
                    continue;
                }
                String[] fields = split(line, separator);
                try {
                    if (fields.length != columns.length) {
                        throw new IllegalArgumentException(
                                "expected "
                                        + columns.length
                                        + " fields ("
                                        + String.join(describe(separator), columns)
                                        + "), found "
                                        + fields.length);
                    }
                    handler.row(lineNumber, fields);
                } catch (IllegalArgumentException e) {
                    String hint =
                            lineNumber == 1
                                    ? " (a header, if present, must read exactly: "
                                            + header.replace("\t", "\\t")
                                            + ")"
                                    : "";
                    throw new IllegalArgumentException(
                            file
                                    + " line "
                                    + lineNumber
                                    + ": "
                                    + e.getMessage()
                                    + hint
                                    + ": "
                                    + excerpt(line),
                            e);
                }
            }
        }
    }

    /**
     * {@code text} if it is a non-negative integer id, as written (leading zeros kept); otherwise a
     * clear error.
     */
    static String integerId(String text, String column) {
        if (text.isEmpty()
                || text.length() > 19
                || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(
                    column + " must be a non-negative integer, got \"" + text + "\"");
        }
        return text;
    }

    private static String[] split(String line, char separator) {
        String[] fields = line.split(Pattern.quote(String.valueOf(separator)), -1);
        for (int i = 0; i < fields.length; i++) {
            fields[i] = fields[i].strip();
        }
        return fields;
    }

    private static String describe(char separator) {
        return separator == '\t' ? " TAB " : String.valueOf(separator);
    }

    private static String excerpt(String line) {
        String shown =
                line.length() > EXCERPT_CHARS ? line.substring(0, EXCERPT_CHARS) + "..." : line;
        return '"' + shown.replace("\t", "\\t") + '"';
    }
}
