package io.guidance.detect;

import io.guidance.event.Event;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One user's clock and short-term memory in one state value, read once when an event arrives and once when the user's
 * timer fires: the events waiting for the watermark, the time of the user's one timer and of the next cleanup sweep,
 * the user's live sessions, open stall waits and first/last seen. Small by construction (sessions within the session
 * timeout, one wait per stall rule and session). A Flink POJO. End of life: cleared when nothing waits and nothing is
 * due; each part's own end of life is in {@link DetectionEngine}.
 */
public class Inbox {
    /** No timer, or no sweep. */
    public static final long NONE = Long.MAX_VALUE;

    /** Events waiting for the watermark, in ts order (equal ts in arrival order). */
    public List<Event> waiting = new ArrayList<>(4);
    /** Time of the user's one event-time timer, or {@link #NONE}. */
    public long wakeAt = NONE;
    /** Time of the next cleanup sweep (a whole minute), or {@link #NONE}. */
    public long sweepAt = NONE;
    /**
     * sessionId -> ts of its last event. End of life: the sweep removes a session idle for the session retention
     * (session timeout, or the longest burst/loop window if longer), with its burst groups and loop windows.
     */
    public Map<String, Long> sessions = new HashMap<>(4);
    /**
     * (ruleId, sessionId) -> deadline of an open stall wait. End of life: removed when progress cancels the wait or
     * when it fires at its deadline; a wait of a rule that is gone is released then, or when the rule is removed.
     */
    public Map<String, Long> stallDeadlines = new HashMap<>(4);
    /** First and last seen, or null. End of life: the sweep clears it after the user retention without events. */
    public UserActivity activity;

    public Inbox() {}

    /** Adds an event in ts order after those with the same ts. Events mostly come in order: found from the end. */
    void add(Event e) {
        int at = waiting.size();
        while (at > 0 && waiting.get(at - 1).ts > e.ts) {
            at--;
        }
        waiting.add(at, e);
    }

    /** The ts of the first waiting event from {@code index} on, or {@link #NONE}. */
    long firstWaiting(int index) {
        return index < waiting.size() ? waiting.get(index).ts : NONE;
    }

    /** The earliest open stall deadline, or {@link #NONE}. */
    long firstDeadline() {
        long t = NONE;
        for (long deadline : stallDeadlines.values()) {
            t = Math.min(t, deadline);
        }
        return t;
    }

    boolean isIdle() {
        return waiting.isEmpty() && wakeAt == NONE && sweepAt == NONE && sessions.isEmpty()
                && stallDeadlines.isEmpty() && activity == null;
    }
}
