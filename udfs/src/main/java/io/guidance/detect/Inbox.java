package io.guidance.detect;

import io.guidance.event.Event;

import java.util.ArrayList;
import java.util.List;

/**
 * One user's clock in one state value, read once per event: the events waiting for the watermark, the time of the
 * user's one timer, and the time of the next cleanup sweep. A Flink POJO. End of life: cleared when nothing waits and
 * nothing is due.
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

    boolean isIdle() {
        return waiting.isEmpty() && wakeAt == NONE && sweepAt == NONE;
    }
}
