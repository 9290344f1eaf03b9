package io.guidance.local.importer;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
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
    /** The longest line read; no row of these datasets comes near it. */
    static final int MAX_LINE_BYTES = 64 * 1024;

    /**
     * Receives one data row; throws {@link IllegalArgumentException} with a short reason when the
     * row is malformed, which skips the row.
     */
    @FunctionalInterface
    interface RowHandler {
        void row(long lineNumber, String[] fields);
    }

    private static final int EXCERPT_CHARS = 120;

    private DataLines() {}

    /**
     * Reads every row of {@code file}; a row that is not valid UTF-8, has the wrong number of
     * fields or that {@code handler} rejects is added to {@code bad} and skipped.
     */
    static void read(Path file, String header, char separator, RowHandler handler, BadLines bad)
            throws IOException {
        String[] columns = header.split(Pattern.quote(String.valueOf(separator)));
        forEachLine(
                file,
                bad,
                (lineNumber, line) -> {
                    if (lineNumber == 1 && line.strip().equals(header)) {
                        return;
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
                        bad.add(
                                lineNumber,
                                file
                                        + " line "
                                        + lineNumber
                                        + ": "
                                        + e.getMessage()
                                        + hint
                                        + ": "
                                        + excerpt(line));
                    }
                });
    }

    /**
     * Reads every row of a headerless file whose {@code columns} are separated by runs of
     * whitespace (leading and trailing whitespace ignored); bad rows as in {@link #read}.
     */
    static void readWhitespaceSeparated(
            Path file, String[] columns, RowHandler handler, BadLines bad) throws IOException {
        forEachLine(
                file,
                bad,
                (lineNumber, line) -> {
                    String[] fields = line.strip().split("\\s+");
                    try {
                        if (fields.length != columns.length) {
                            throw new IllegalArgumentException(
                                    "expected "
                                            + columns.length
                                            + " fields ("
                                            + String.join(" ", columns)
                                            + "), found "
                                            + fields.length);
                        }
                        handler.row(lineNumber, fields);
                    } catch (IllegalArgumentException e) {
                        bad.add(
                                lineNumber,
                                file
                                        + " line "
                                        + lineNumber
                                        + ": "
                                        + e.getMessage()
                                        + ": "
                                        + excerpt(line));
                    }
                });
    }

    @FunctionalInterface
    private interface LineHandler {
        void line(long lineNumber, String line);
    }

    /**
     * Calls {@code handler} for every non-blank line, decoded as UTF-8 line by line: a line that is
     * not valid UTF-8 goes to {@code bad} instead of failing the whole file (a reader over the
     * whole file stops at the first bad byte). Lines end at LF; a CR before it is dropped.
     */
    private static void forEachLine(Path file, BadLines bad, LineHandler handler)
            throws IOException {
        CharsetDecoder decoder =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
            long lineNumber = 0;
            int b;
            boolean more = true;
            while (more) {
                b = in.read();
                if (b != '\n' && b != -1) {
                    // a file without line ends (a binary file, a dump on one line) must not fill
                    // the heap: past the limit a line is only measured
                    if (buffer.size() <= MAX_LINE_BYTES) {
                        buffer.write(b);
                    }
                    continue;
                }
                more = b != -1;
                if (!more && buffer.size() == 0) {
                    break;
                }
                lineNumber++;
                byte[] bytes = buffer.toByteArray();
                buffer.reset();
                int length = bytes.length;
                if (length > MAX_LINE_BYTES) {
                    bad.add(
                            lineNumber,
                            file
                                    + " line "
                                    + lineNumber
                                    + ": longer than "
                                    + MAX_LINE_BYTES
                                    + " bytes");
                    continue;
                }
                if (length > 0 && bytes[length - 1] == '\r') {
                    length--;
                }
                String line;
                try {
                    line = decoder.decode(ByteBuffer.wrap(bytes, 0, length)).toString();
                } catch (CharacterCodingException e) {
                    bad.add(lineNumber, file + " line " + lineNumber + ": not valid UTF-8 text");
                    continue;
                }
                if (lineNumber == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1); // byte order mark written by some spreadsheet exports
                }
                if (!line.isBlank()) {
                    handler.line(lineNumber, line);
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
