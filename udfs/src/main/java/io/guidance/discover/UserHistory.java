package io.guidance.discover;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The per-user step of discovery: from one user's events, in any order, the user's {@link
 * UserSummary}. One pass groups the action events by type; per type, the ts of the N-th event
 * decides every (N, D) cell at once.
 */
public final class UserHistory {
    private UserHistory() {}

    /**
     * The summary of one user's events.
     *
     * @param events every event of one user (at least one); duplicates (same {@code eventId}) count
     *     once
     */
    public static UserSummary summarize(Iterable<UserEvent> events, DiscoveryQuery query) {
        Set<String> seenIds = new HashSet<>();
        List<UserEvent> distinct = new ArrayList<>();
        long firstSeen = Long.MAX_VALUE;
        long lastSeen = Long.MIN_VALUE;
        for (UserEvent e : events) {
            if (e.eventId != null && !seenIds.add(e.eventId)) {
                continue;
            }
            distinct.add(e);
            firstSeen = Math.min(firstSeen, e.ts);
            lastSeen = Math.max(lastSeen, e.ts);
        }
        if (distinct.isEmpty()) {
            throw new IllegalArgumentException("a user without events has no summary");
        }
        long retainedFrom = firstSeen + query.retentionFromMs;
        long retainedTo = firstSeen + query.retentionToMs;
        boolean retained = false;
        Map<String, List<Long>> actionTs = new TreeMap<>();
        for (UserEvent e : distinct) {
            if (!retained && e.ts >= retainedFrom && e.ts < retainedTo && query.retains(e.type)) {
                retained = true;
            }
            if (query.counts(e.type)) {
                actionTs.computeIfAbsent(e.type, t -> new ArrayList<>()).add(e.ts);
            }
        }
        int maxCount = query.maxCount();
        int days = query.daysLength();
        UserSummary s = new UserSummary();
        s.firstSeen = firstSeen;
        s.lastSeen = lastSeen;
        s.retained = retained;
        s.actions = actionTs.keySet().toArray(new String[0]);
        s.reached = new int[s.actions.length * days];
        int a = 0;
        for (List<Long> times : actionTs.values()) {
            long[] sorted = times.stream().mapToLong(Long::longValue).sorted().toArray();
            // nth[k] = ts of the (k+1)-th event: X(N, D) holds when nth[N-1] < firstSeen + D days
            int known = Math.min(sorted.length, maxCount);
            for (int d = 0; d < days; d++) {
                long windowEnd = firstSeen + query.dayAt(d) * DiscoveryQuery.DAY_MS;
                int reached = 0;
                while (reached < known && sorted[reached] < windowEnd) {
                    reached++;
                }
                s.reached[a * days + d] = reached;
            }
            a++;
        }
        return s;
    }

    /** For messages and tests. */
    public static String describe(UserSummary s) {
        return "UserSummary{firstSeen="
                + s.firstSeen
                + ", lastSeen="
                + s.lastSeen
                + ", retained="
                + s.retained
                + ", actions="
                + Arrays.toString(s.actions)
                + ", reached="
                + Arrays.toString(s.reached)
                + "}";
    }
}
