package io.guidance.discover;

import io.guidance.rules.Durations;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one discovery run asks (SPEC section 8): the retention window, the counts N and days D of
 * the cells, the action types (null = every type in the input except the feedback types) and the
 * type that counts as coming back (null = any type).
 *
 * <p>Counts and days are kept sorted and distinct; their index is the cell's position in {@link
 * Tally} and {@link UserSummary}.
 */
public final class DiscoveryQuery implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final long DAY_MS = 86_400_000L;

    /** The guide feedback types of SPEC section 1: the system's own echo, never a user's action. */
    public static final Set<String> FEEDBACK_TYPES =
            Set.of("guide_shown", "guide_clicked", "guide_dismissed", "guide_completed");

    public static final String DEFAULT_RETENTION = "7d-14d";
    public static final String DEFAULT_COUNTS = "1-10";

    /** Lists longer than this are a typo (a range such as 1-100000), not a question. */
    static final int MAX_LIST = 1000;

    public final long retentionFromMs;
    public final long retentionToMs;
    private final int[] counts;
    private final int[] days;
    private final List<String> actions;
    public final String retainedBy;

    private DiscoveryQuery(
            long fromMs, long toMs, int[] counts, int[] days, List<String> actions, String by) {
        this.retentionFromMs = fromMs;
        this.retentionToMs = toMs;
        this.counts = counts;
        this.days = days;
        this.actions = actions == null ? null : List.copyOf(actions);
        this.retainedBy = by;
    }

    /**
     * A checked query; every argument as the command line writes it, null for the SPEC default.
     *
     * @throws IllegalArgumentException with one sentence naming the option, for a malformed value
     *     or a D longer than the start of the retention window
     */
    public static DiscoveryQuery of(
            String retention, String counts, String days, String actions, String retainedBy) {
        long[] window = parseRetention(retention == null ? DEFAULT_RETENTION : retention);
        int[] n = parseList(counts == null ? DEFAULT_COUNTS : counts, "--counts");
        int[] d;
        if (days == null) {
            long maxDays = window[0] / DAY_MS;
            if (maxDays < 1) {
                throw new IllegalArgumentException(
                        "--retention starts at "
                                + Durations.format(window[0])
                                + ", before the end of day 1, so no action window fits before it;"
                                + " start it at 1d or later");
            }
            d = parseList("1-" + Math.min(maxDays, MAX_LIST), "--days");
        } else {
            d = parseList(days, "--days");
        }
        for (int day : d) {
            if (day * DAY_MS > window[0]) {
                throw new IllegalArgumentException(
                        "--days "
                                + day
                                + " is longer than the retention window's start ("
                                + Durations.format(window[0])
                                + "): the action window must end before retention is measured");
            }
        }
        List<String> a = null;
        if (actions != null) {
            Set<String> names = new LinkedHashSet<>();
            for (String s : actions.split(",", -1)) {
                if (s.isBlank()) {
                    throw new IllegalArgumentException(
                            "--actions must be a comma-separated list of event types, not '"
                                    + actions
                                    + "'");
                }
                names.add(s.strip());
            }
            a = new ArrayList<>(names);
        }
        if (retainedBy != null && retainedBy.isBlank()) {
            throw new IllegalArgumentException("--retained-by must name an event type");
        }
        return new DiscoveryQuery(window[0], window[1], n, d, a, retainedBy);
    }

    /**
     * {@code FROM-TO} as two durations in milliseconds, e.g. {@code 7d-14d}; FROM must be before
     * TO.
     */
    public static long[] parseRetention(String text) {
        int dash = text.indexOf('-');
        if (dash <= 0 || dash == text.length() - 1) {
            throw new IllegalArgumentException(
                    "--retention must be FROM-TO, two durations such as 7d-14d, not '"
                            + text
                            + "'");
        }
        long from;
        long to;
        try {
            from = Durations.parse(text.substring(0, dash));
            to = Durations.parse(text.substring(dash + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--retention " + text + ": " + e.getMessage());
        }
        if (from < 0 || to <= from) {
            throw new IllegalArgumentException(
                    "--retention " + text + ": FROM must be at least 0 and before TO");
        }
        return new long[] {from, to};
    }

    /**
     * A list of positive whole numbers written as ranges and single values, e.g. {@code 1-10} or
     * {@code 1,7,14,30} or {@code 1-3,7}; sorted and without repeats.
     */
    public static int[] parseList(String text, String option) {
        Set<Integer> values = new TreeSet<>();
        String problem =
                option
                        + " must list whole numbers from 1, as 1-10 or 1,7,14,30, not '"
                        + text
                        + "'";
        for (String part : text.split(",", -1)) {
            String p = part.strip();
            int dash = p.indexOf('-');
            int lo;
            int hi;
            try {
                if (dash < 0) {
                    lo = hi = Integer.parseInt(p);
                } else {
                    lo = Integer.parseInt(p.substring(0, dash));
                    hi = Integer.parseInt(p.substring(dash + 1));
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(problem);
            }
            if (lo < 1 || hi < lo) {
                throw new IllegalArgumentException(problem);
            }
            if (hi - lo >= MAX_LIST || values.size() + (hi - lo) >= MAX_LIST) {
                throw new IllegalArgumentException(
                        option + " lists more than " + MAX_LIST + " values: '" + text + "'");
            }
            for (int v = lo; v <= hi; v++) {
                values.add(v);
            }
        }
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The counts N, ascending. */
    public int[] counts() {
        return counts.clone();
    }

    /** The days D, ascending. */
    public int[] days() {
        return days.clone();
    }

    int countAt(int i) {
        return counts[i];
    }

    int dayAt(int i) {
        return days[i];
    }

    int countsLength() {
        return counts.length;
    }

    int daysLength() {
        return days.length;
    }

    int maxCount() {
        return counts[counts.length - 1];
    }

    /** The requested actions, or null for every type in the input except the feedback types. */
    public List<String> actions() {
        return actions;
    }

    /** Whether events of {@code type} are counted as an action. */
    public boolean counts(String type) {
        return actions == null ? !FEEDBACK_TYPES.contains(type) : actions.contains(type);
    }

    /** Whether an event of {@code type} in the retention window means the user came back. */
    public boolean retains(String type) {
        return retainedBy == null || retainedBy.equals(type);
    }

    /** The retention window as written on the command line, e.g. {@code 7d-14d}. */
    public String retention() {
        return Durations.format(retentionFromMs) + "-" + Durations.format(retentionToMs);
    }

    @Override
    public String toString() {
        return "retention "
                + retention()
                + ", counts "
                + Arrays.toString(counts)
                + ", days "
                + Arrays.toString(days)
                + (actions == null ? "" : ", actions " + actions)
                + (retainedBy == null ? "" : ", retained by " + retainedBy);
    }
}
