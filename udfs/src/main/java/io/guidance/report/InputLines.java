package io.guidance.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What was read of one input (a file or a topic): how many lines or records, how many of them were
 * bad, and where the first few bad ones are, so that a report never hides what it skipped.
 */
public final class InputLines {
    /** How many bad lines are named by position; the rest are only counted. */
    public static final int FIRST_BAD = 5;

    public final String name;
    private long read;
    private long bad;
    private final List<String> firstBad = new ArrayList<>();

    public InputLines(String name) {
        this.name = name;
    }

    void good() {
        read++;
    }

    /** A line that could not be read: {@code where} is a line number or a partition and offset. */
    void bad(String where, String problem) {
        read++;
        bad++;
        if (firstBad.size() < FIRST_BAD) {
            firstBad.add(where + ": " + problem);
        }
    }

    public long read() {
        return read;
    }

    public long bad() {
        return bad;
    }

    /** "line 3: not JSON", up to {@link #FIRST_BAD} of them. */
    public List<String> firstBad() {
        return Collections.unmodifiableList(firstBad);
    }
}
