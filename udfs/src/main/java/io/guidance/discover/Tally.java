package io.guidance.discover;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The running sums of discovery: per (action, N, D), the cohort users at or above the threshold,
 * split by retention, plus the cohort's size and retained count, from which the other two counts of
 * each 2x2 table follow. Tallies of disjoint sets of users add up ({@link #merge}), so each
 * partition sums its own users and only the partial tallies, a few kilobytes each, travel.
 *
 * <p>A Flink POJO, and serializable for the accumulator that returns it: the action index is
 * rebuilt from {@link #actions} after either.
 */
public class Tally implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Users read, in the cohort or not. */
    public long users;

    /** Users in the cohort: n. */
    public long cohort;

    /** Cohort users who came back: n11 + n01 of every cell. */
    public long retained;

    /** The largest ts seen: {@code end}. */
    public long end = Long.MIN_VALUE;

    /** Every counted action type sent by any user, in order of first appearance. */
    public String[] actions = new String[0];

    /**
     * For action slot {@code a}, count index {@code c} and day index {@code d}: {@code above[((a *
     * counts + c) * days + d) * 2]} = n11, {@code + 1} = n10.
     */
    public long[] above = new long[0];

    private transient Map<String, Integer> slots;

    public Tally() {}

    /** Adds one user's summary ({@code s.inCohort} decides whether it counts in the cells). */
    public void add(UserSummary s, DiscoveryQuery q) {
        users++;
        end = Math.max(end, s.lastSeen);
        int counts = q.countsLength();
        int days = q.daysLength();
        int[] slotOf = new int[s.actions.length];
        for (int i = 0; i < s.actions.length; i++) {
            slotOf[i] = slot(s.actions[i], counts * days * 2);
        }
        if (!s.inCohort) {
            return;
        }
        cohort++;
        int column = s.retained ? 0 : 1;
        if (s.retained) {
            retained++;
        }
        for (int i = 0; i < s.actions.length; i++) {
            int base = slotOf[i] * counts * days;
            for (int d = 0; d < days; d++) {
                int reached = s.reached[i * days + d];
                for (int c = 0; c < counts && q.countAt(c) <= reached; c++) {
                    above[((base + c * days) + d) * 2 + column]++;
                }
            }
        }
    }

    /** Adds {@code other}'s users into this tally; both must come from the same query. */
    public Tally merge(Tally other) {
        users += other.users;
        cohort += other.cohort;
        retained += other.retained;
        end = Math.max(end, other.end);
        if (other.actions.length > 0) {
            int width = other.above.length / other.actions.length;
            for (int i = 0; i < other.actions.length; i++) {
                int slot = slot(other.actions[i], width);
                for (int k = 0; k < width; k++) {
                    above[slot * width + k] += other.above[i * width + k];
                }
            }
        }
        return this;
    }

    private int slot(String action, int width) {
        if (slots == null) {
            slots = new HashMap<>();
            for (int i = 0; i < actions.length; i++) {
                slots.put(actions[i], i);
            }
        }
        Integer slot = slots.get(action);
        if (slot != null) {
            return slot;
        }
        int added = actions.length;
        actions = Arrays.copyOf(actions, added + 1);
        actions[added] = action;
        above = Arrays.copyOf(above, (added + 1) * width);
        slots.put(action, added);
        return added;
    }

    /**
     * Every cell: each action in the input (sorted by name), each N, each D, with n01 and n00
     * following from the cohort's totals.
     */
    public List<Cell> cells(DiscoveryQuery q) {
        int counts = q.countsLength();
        int days = q.daysLength();
        String[] sorted = actions.clone();
        Arrays.sort(sorted);
        List<Cell> cells = new ArrayList<>(sorted.length * counts * days);
        for (String action : sorted) {
            int base = slot(action, counts * days * 2) * counts * days;
            for (int c = 0; c < counts; c++) {
                for (int d = 0; d < days; d++) {
                    long n11 = above[(base + c * days + d) * 2];
                    long n10 = above[(base + c * days + d) * 2 + 1];
                    cells.add(
                            Cell.of(
                                    action,
                                    q.countAt(c),
                                    q.dayAt(d),
                                    n11,
                                    n10,
                                    retained - n11,
                                    cohort - retained - n10));
                }
            }
        }
        return cells;
    }
}
