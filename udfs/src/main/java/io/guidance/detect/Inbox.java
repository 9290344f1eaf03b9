package io.guidance.detect;

import io.guidance.event.Event;
import io.guidance.event.EventTypeInfo;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * One user's clock and short-term memory in one state value, read and written once each time the
 * user's timer fires, never when an event arrives (arrivals are appended to a list state of their
 * own, which on RocksDB is a write without a read): the events waiting for the watermark, the time
 * of the user's timer and of the next cleanup sweep, recent event ids, and the user's live
 * sessions, open stall waits, burst groups, loop windows and first/last seen. Small by
 * construction: sessions within the session timeout, one wait per stall rule and session, bursts
 * and loops within their windows, event ids within the dedup window. Each part's end of life is
 * written at its field (and, for a detector's part, at the detector); {@link DetectionEngine}
 * clears the whole value when nothing waits and nothing is due.
 *
 * <p>A Flink POJO. The maps are null when empty ({@link #compact} before each write), so a user who
 * only has first/last seen left costs a few bytes more than those two times; the accessors create
 * them on first use.
 */
public class Inbox {
    /** No timer, or no sweep. */
    public static final long NONE = Long.MAX_VALUE;

    /**
     * {@link #layout} of an inbox written by this version: event ids in {@link #recentIds},
     * arrivals in their own list state, the policy's and the maps' bookkeeping here.
     */
    static final int CURRENT_LAYOUT = 1;

    /**
     * 0 for an inbox restored from a snapshot of the first layout (the field did not exist: the
     * POJO serializer leaves it at its default), whose event ids are still in the map state {@link
     * StateNames#SEEN_EVENT_IDS}; {@link #CURRENT_LAYOUT} once {@link DetectionEngine} moved them.
     */
    public int layout;

    /**
     * Events checked for duplicates and waiting for the watermark, in ts order (equal ts in arrival
     * order); null when none. Events join it from the key's arrivals when its timer fires (a timer
     * at each arrival's ts). End of life: an event leaves when the watermark passes its ts, which
     * runs it.
     */
    @TypeInfo(EventListInfo.class)
    public List<Event> waiting;

    /** Time of the user's one event-time timer, or {@link #NONE}. */
    public long wakeAt = NONE;

    /** Time of the next cleanup sweep (a whole minute), or {@link #NONE}. */
    public long sweepAt = NONE;

    /**
     * sessionId -> ts of its last event. End of life: the sweep removes a session idle for the
     * session retention (session timeout, or the longest burst/loop window if longer), with its
     * burst groups and loop windows.
     */
    @TypeInfo(LongMapInfo.class)
    public Map<String, Long> sessions;

    /**
     * {@link StallDetector}'s: (ruleId, sessionId) -> deadline of an open stall wait. End of life:
     * removed when progress cancels the wait or when it fires at its deadline (a wait of a rule
     * that is gone fires nothing), or when its rule is removed.
     */
    @TypeInfo(LongMapInfo.class)
    public Map<String, Long> stallDeadlines;

    /**
     * {@link BurstDetector}'s: (ruleId, sessionId, group value) -> ts of the group's events. End of
     * life: emptied when it fires; with its session; when its rule is removed.
     */
    @TypeInfo(BurstGroupsInfo.class)
    public Map<String, List<Long>> burstGroups;

    /**
     * {@link LoopDetector}'s: (ruleId, sessionId) -> loop window. End of life: with its session;
     * when its rule is removed.
     */
    @TypeInfo(LoopWindowsInfo.class)
    public Map<String, LoopWindow> loopWindows;

    /**
     * First and last seen, or null. End of life: the sweep clears it after the user retention
     * without events.
     */
    public UserActivity activity;

    /**
     * The user's recent event ids, for dedup: pairs of (64-bit hash of the id, ts of its event), in
     * the order the events were checked; null when none. End of life: a pair leaves once its id no
     * longer marks duplicates (the sweep at ts + dedupWindow, rounded up to the minute, is due), at
     * the next firing of the key's timer. See {@link RecentEventIds}.
     */
    public long[] recentIds;

    /**
     * No state of the delivery policy expires before this ({@link #NONE}: it holds nothing), so
     * that a sweep reads the policy's maps only when something of them is due.
     */
    public long policyDueAt = NONE;

    /**
     * True once some session id went into the map state {@link StateNames#USER_SESSIONS}, so that
     * forgetting the user clears it only when there is something to clear.
     */
    public boolean hasSessionIds;

    /** True once the user may have been exposed to an experiment: the same for its map state. */
    public boolean mayHaveExposures;

    /**
     * No experiment's conversion wait of this user ends later than this (0: none is open), so that
     * events after it skip the experiments' state. End of life: with the user.
     */
    public long conversionWaitEnd;

    public Inbox() {}

    /** A new user's inbox, of the current layout. */
    static Inbox fresh() {
        Inbox in = new Inbox();
        in.layout = CURRENT_LAYOUT;
        return in;
    }

    List<Event> waiting() {
        if (waiting == null) {
            waiting = new ArrayList<>(4);
        }
        return waiting;
    }

    Map<String, Long> sessions() {
        if (sessions == null) {
            sessions = new HashMap<>(4);
        }
        return sessions;
    }

    Map<String, Long> stallDeadlines() {
        if (stallDeadlines == null) {
            stallDeadlines = new HashMap<>(4);
        }
        return stallDeadlines;
    }

    Map<String, List<Long>> burstGroups() {
        if (burstGroups == null) {
            burstGroups = new HashMap<>(4);
        }
        return burstGroups;
    }

    Map<String, LoopWindow> loopWindows() {
        if (loopWindows == null) {
            loopWindows = new HashMap<>(4);
        }
        return loopWindows;
    }

    /**
     * Adds an event in ts order after those with the same ts. Events mostly come in order: found
     * from the end.
     */
    void add(Event e) {
        List<Event> w = waiting();
        int at = w.size();
        while (at > 0 && w.get(at - 1).ts > e.ts) {
            at--;
        }
        w.add(at, e);
    }

    /** The ts of the first waiting event from {@code index} on, or {@link #NONE}. */
    long firstWaiting(int index) {
        return waiting != null && index < waiting.size() ? waiting.get(index).ts : NONE;
    }

    /** Drops the first {@code n} waiting events (they ran). */
    void ran(int n) {
        if (n > 0) {
            waiting.subList(0, n).clear();
        }
    }

    /** The earliest open stall deadline, or {@link #NONE}. */
    long firstDeadline() {
        long t = NONE;
        if (stallDeadlines != null) {
            for (long deadline : stallDeadlines.values()) {
                t = Math.min(t, deadline);
            }
        }
        return t;
    }

    /**
     * Empty lists and maps become null, so that they take one byte in a checkpoint, not an empty
     * collection.
     */
    Inbox compact() {
        if (waiting != null && waiting.isEmpty()) {
            waiting = null;
        }
        if (sessions != null && sessions.isEmpty()) {
            sessions = null;
        }
        if (stallDeadlines != null && stallDeadlines.isEmpty()) {
            stallDeadlines = null;
        }
        if (burstGroups != null && burstGroups.isEmpty()) {
            burstGroups = null;
        }
        if (loopWindows != null && loopWindows.isEmpty()) {
            loopWindows = null;
        }
        return this;
    }

    /** True when the inbox holds nothing (after {@link #compact}). */
    boolean isIdle() {
        return waiting == null
                && wakeAt == NONE
                && sweepAt == NONE
                && sessions == null
                && stallDeadlines == null
                && burstGroups == null
                && loopWindows == null
                && activity == null
                && recentIds == null
                && policyDueAt == NONE
                && !hasSessionIds
                && !mayHaveExposures;
    }

    // The element types of the collections, for Flink's POJO serializer: without them it would fall
    // back to Kryo.

    public static final class EventListInfo extends TypeInfoFactory<List<Event>> {
        @Override
        public TypeInformation<List<Event>> createTypeInfo(
                Type t, Map<String, TypeInformation<?>> params) {
            // the POJO serializer that this field was written with (committed savepoint), not the
            // EventSerializer that type extraction now picks for Event
            return Types.LIST(EventTypeInfo.asPojo());
        }
    }

    public static final class LongMapInfo extends TypeInfoFactory<Map<String, Long>> {
        @Override
        public TypeInformation<Map<String, Long>> createTypeInfo(
                Type t, Map<String, TypeInformation<?>> params) {
            return Types.MAP(Types.STRING, Types.LONG);
        }
    }

    public static final class BurstGroupsInfo extends TypeInfoFactory<Map<String, List<Long>>> {
        @Override
        public TypeInformation<Map<String, List<Long>>> createTypeInfo(
                Type t, Map<String, TypeInformation<?>> params) {
            return Types.MAP(Types.STRING, Types.LIST(Types.LONG));
        }
    }

    public static final class LoopWindowsInfo extends TypeInfoFactory<Map<String, LoopWindow>> {
        @Override
        public TypeInformation<Map<String, LoopWindow>> createTypeInfo(
                Type t, Map<String, TypeInformation<?>> params) {
            return Types.MAP(Types.STRING, Types.POJO(LoopWindow.class));
        }
    }
}
