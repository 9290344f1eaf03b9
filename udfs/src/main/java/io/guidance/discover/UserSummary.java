package io.guidance.discover;

/**
 * One user's contribution to discovery, computed once from all of the user's events ({@link
 * UserHistory}): everything the cells need, in a few dozen bytes, whatever the user's history.
 * Whether the user is in the cohort depends on {@code end}, which only the whole input knows, so it
 * is set later ({@link #inCohort}). A Flink POJO.
 */
public class UserSummary {
    /** The ts of the user's first event. */
    public long firstSeen;

    /** The ts of the user's last event: the largest of them all is {@code end}. */
    public long lastSeen;

    /** An event (of any type, or of {@code --retained-by}) in the retention window. */
    public boolean retained;

    /** Set once {@code end} is known: {@code firstSeen + TO <= end}. */
    public boolean inCohort;

    /** The counted action types the user sent at all, sorted. */
    public String[] actions;

    /**
     * For {@code actions[a]} and the query's {@code days[d]}: {@code reached[a * days + d]} = the
     * user's events of that type in {@code [firstSeen, firstSeen + D days)}, capped at the largest
     * N. The user reaches cell (A, N, D) when it is at least N.
     */
    public int[] reached;

    public UserSummary() {}
}
