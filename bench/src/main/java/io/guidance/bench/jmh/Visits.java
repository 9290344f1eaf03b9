package io.guidance.bench.jmh;

import io.guidance.event.Event;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * An endless event stream in ts order for one detector: {@code users} users each make the same
 * visit (a scripted list of steps), their visits starting {@code staggerMs} apart and interleaving;
 * that is one cycle. The next cycle is the same, {@code cycleMs} later, each visit a new session;
 * after {@code visitsPerUser} cycles the users are replaced by new ones, so per-user state
 * (threshold counts, comebacks) goes through its whole life and the number of users in state stays
 * bounded by the detection function's retention. Event ids count up and never repeat.
 */
final class Visits {
    static final long T0 = 1_700_000_000_000L;

    /** One step of the visit: when, after the visit's start, and what. */
    static final class Step {
        final long atMs;
        final String type;
        final String page;
        final String target;
        final Map<String, String> props;

        Step(long atMs, String type, String page, String target, Map<String, String> props) {
            this.atMs = atMs;
            this.type = type;
            this.page = page;
            this.target = target;
            this.props = props;
        }
    }

    static Step step(long atMs, String type, String page, String target) {
        return new Step(atMs, type, page, target, null);
    }

    static Step step(
            long atMs, String type, String page, String target, Map<String, String> props) {
        return new Step(atMs, type, page, target, props);
    }

    private final int users;
    private final int visitsPerUser;
    private final long cycleMs;

    /** One cycle, in ts order: which user, at which offset from the cycle's start, which step. */
    private final int[] user;

    private final long[] offset;
    private final Step[] step;

    private final String[] userIds;
    private final String[] sessionIds;
    private long cycle = -1;
    private int pos;
    private long sequence;

    Visits(List<Step> visit, int users, long staggerMs, long cycleMs, int visitsPerUser) {
        long visitMs = visit.get(visit.size() - 1).atMs;
        if ((users - 1) * staggerMs + visitMs >= cycleMs) {
            throw new IllegalArgumentException(
                    "a cycle of " + cycleMs + " ms does not hold the visits");
        }
        this.users = users;
        this.visitsPerUser = visitsPerUser;
        this.cycleMs = cycleMs;
        List<long[]> events = new ArrayList<>(); // {offset, user, step}
        for (int u = 0; u < users; u++) {
            for (int s = 0; s < visit.size(); s++) {
                events.add(new long[] {u * staggerMs + visit.get(s).atMs, u, s});
            }
        }
        events.sort(
                Comparator.<long[]>comparingLong(e -> e[0])
                        .thenComparingLong(e -> e[1])
                        .thenComparingLong(e -> e[2]));
        int n = events.size();
        user = new int[n];
        offset = new long[n];
        step = new Step[n];
        for (int i = 0; i < n; i++) {
            long[] e = events.get(i);
            offset[i] = e[0];
            user[i] = (int) e[1];
            step[i] = visit.get((int) e[2]);
        }
        userIds = new String[users];
        sessionIds = new String[users];
        startCycle(0);
    }

    /** Events in one cycle. */
    int eventsPerCycle() {
        return step.length;
    }

    private void startCycle(long c) {
        cycle = c;
        pos = 0;
        long generation = c / visitsPerUser;
        for (int u = 0; u < users; u++) {
            if (c % visitsPerUser == 0) {
                userIds[u] = "u" + generation + "-" + u;
            }
            sessionIds[u] = userIds[u] + "-v" + (c % visitsPerUser);
        }
    }

    Event next() {
        if (pos == step.length) {
            startCycle(cycle + 1);
        }
        int i = pos++;
        Step s = step[i];
        int u = user[i];
        return new Event(
                "e" + sequence++,
                userIds[u],
                sessionIds[u],
                T0 + cycle * cycleMs + offset[i],
                s.type,
                s.page,
                s.target,
                s.props);
    }

    /** The ts of the event {@link #next} returns next. */
    long nextTs() {
        return pos == step.length
                ? T0 + (cycle + 1) * cycleMs + offset[0]
                : T0 + cycle * cycleMs + offset[pos];
    }
}
