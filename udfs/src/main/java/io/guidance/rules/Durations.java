package io.guidance.rules;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as the rules file writes them: {@code 500ms}, {@code 8s}, {@code 2m}, {@code 1h},
 * {@code 10d}.
 */
public final class Durations {
    private static final Pattern FORMAT = Pattern.compile("(-?\\d+)(ms|s|m|h|d)");

    private Durations() {}

    /**
     * Milliseconds of a duration; throws {@link IllegalArgumentException} with a readable message
     * otherwise.
     */
    public static long parse(String text) {
        Matcher m = FORMAT.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "'"
                            + text
                            + "' is not a duration (write a whole number and a unit: 500ms, 8s, 2m, 1h, 10d)");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is too large a duration");
        }
        long unit;
        switch (m.group(2)) {
            case "ms":
                unit = 1L;
                break;
            case "s":
                unit = 1_000L;
                break;
            case "m":
                unit = 60_000L;
                break;
            case "h":
                unit = 3_600_000L;
                break;
            default:
                unit = 86_400_000L;
                break;
        }
        try {
            return Math.multiplyExact(n, unit);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too large a duration");
        }
    }

    /** The shortest exact text for a number of milliseconds, e.g. 8000 -> {@code 8s}. */
    public static String format(long millis) {
        if (millis != 0) {
            if (millis % 86_400_000L == 0) return millis / 86_400_000L + "d";
            if (millis % 3_600_000L == 0) return millis / 3_600_000L + "h";
            if (millis % 60_000L == 0) return millis / 60_000L + "m";
            if (millis % 1_000L == 0) return millis / 1_000L + "s";
        }
        return millis + "ms";
    }
}
