package io.guidance.local.importer;

import java.util.ArrayList;
import java.util.List;

/**
 * The lines of an input file that an import skipped: how many, and the first few with their line
 * numbers and reasons, so that a person can find them in the file. A bad line never stops an
 * import: one malformed row in a million is no reason to lose the rest, and the count says how much
 * was left out.
 */
public final class BadLines {
    /** How many bad lines are kept with their reason; the rest are only counted. */
    public static final int KEPT = 10;

    /**
     * One skipped line.
     *
     * @param message the file, the line number, the reason and an excerpt of the line
     */
    public record BadLine(long lineNumber, String message) {}

    private final List<BadLine> first = new ArrayList<>();
    private long count;

    void add(long lineNumber, String message) {
        count++;
        if (first.size() < KEPT) {
            first.add(new BadLine(lineNumber, message));
        }
    }

    public long count() {
        return count;
    }

    /** The first {@link #KEPT} bad lines, in file order. */
    public List<BadLine> first() {
        return List.copyOf(first);
    }

    /** The line numbers of {@link #first()}, e.g. {@code 3, 17, 18}. */
    public String lineNumbers() {
        StringBuilder s = new StringBuilder();
        for (BadLine b : first) {
            s.append(s.length() == 0 ? "" : ", ").append(b.lineNumber());
        }
        return count > first.size() ? s + ", ..." : s.toString();
    }
}
