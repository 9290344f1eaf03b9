package io.guidance.detect;

import io.guidance.deliver.DeliveryPolicy;
import io.guidance.event.DeadLetter;
import io.guidance.event.Event;
import io.guidance.event.EventJson;
import io.guidance.rules.BurstRule;
import io.guidance.rules.ComebackRule;
import io.guidance.rules.LoopRule;
import io.guidance.rules.Rule;
import io.guidance.rules.RuleSet;
import io.guidance.rules.StallRule;
import io.guidance.rules.ThresholdRule;
import io.guidance.trigger.Trigger;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The detection and delivery logic, run by {@link DetectionFunction} (fixed rules) and {@link
 * LiveRulesFunction} (rules that change while the job runs). Evaluates every rule for one user,
 * keyed by {@code userId}: per-session rules keep their state per session inside the user's key, so
 * the graph needs a single shuffle.
 *
 * <p>Time: events wait in the user's {@link Inbox} until the watermark passes their {@code ts},
 * then run in {@code ts} order (equal {@code ts} in arrival order). Arrival order within the
 * out-of-orderness bound therefore does not change the result. At one instant, events are evaluated
 * before the stall deadlines that fall on it, so progress exactly at a deadline cancels the stall
 * (SPEC section 3).
 *
 * <p>Timers: one per user, at the earliest of what is due next: its first waiting event, its first
 * open stall deadline, or its next cleanup sweep (rounded up to the minute; it forgets event ids,
 * idle sessions and idle users). When the timer fires, everything of the user that the watermark
 * has passed runs in one go, instant by instant in time order: at each instant the events, then the
 * stall deadlines, then the policy decides the instant's triggers, then the sweep if it is due. An
 * event that arrives earlier than the timer moves it. A user therefore costs one timer, not one per
 * event instant, and a watermark step costs one firing per user with something due.
 *
 * <p>Output: triggers in event-time order per user; side outputs {@link OutputTags#DUPLICATES} and
 * {@link OutputTags#DEAD_LETTERS} (events that reached this function behind its watermark).
 */
public final class DetectionEngine implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * What the engine needs of the Flink function that runs it: the key, its timers, side outputs.
     */
    public interface Scope {
        String getCurrentKey();

        TimerService timerService();

        <X> void output(OutputTag<X> tag, X value);
    }

    static final char SEP = '\u001f';

    /** Cleanup timers are rounded up to this, so one timer serves a whole minute of events. */
    static final long CLEANUP_ROUNDING_MS = 60_000L;

    private RuleSet rules;
    private final DetectionSettings settings;

    private transient RuleIndex index;
    private transient DeliveryPolicy policy;

    /**
     * Triggers of the instant being processed, decided together by the policy before they leave.
     */
    private transient List<Trigger> instant;

    private transient long sessionRetentionMs;
    private transient long userRetentionMs;

    /**
     * True when some threshold rule nudges, so that the sessions a user has had must be remembered.
     */
    private transient boolean sessionStartNudges;

    /**
     * Events waiting for the watermark, the key's timer and its next sweep, sessions, stall waits,
     * first/last seen ({@link Inbox}). End of life: events leave when the watermark passes their
     * ts, which runs them; the whole value when nothing waits and nothing is due.
     */
    private transient ValueState<Inbox> inbox;

    /**
     * The layout before the inbox: waiting events by ts, the sweep time, sessions, stall waits,
     * first/last seen, each a state of its own. Read only for a key that has no inbox yet, moved
     * into one and cleared: a savepoint from before keeps all of it.
     */
    private transient MapState<Long, List<Event>> legacyPending;

    private transient ValueState<Long> legacyNextCleanup;
    private transient MapState<String, Long> legacySessions;
    private transient MapState<String, Long> legacyStallDeadlines;
    private transient ValueState<UserActivity> legacyActivity;
    private transient MapState<String, List<Long>> legacyBurstGroups;
    private transient MapState<String, LoopWindow> legacyLoopWindows;

    /**
     * eventId -> ts, for dedup. An id marks duplicates until the sweep at ts + dedupWindow (rounded
     * up to the minute) is due. End of life: a sweep at or after that removes it; sweeps that
     * remove ids are at most a dedup window apart, and the last id leaves at the sweep at its own
     * expiry.
     */
    private transient MapState<String, Long> seenIds;

    /** ruleId -> threshold count. End of life: with the inbox's first/last seen. */
    private transient MapState<String, ThresholdCount> thresholds;

    /**
     * sessionId -> ts of its first event, for every session of the user, kept only when a threshold
     * rule nudges: a session that comes back after the inbox's sessions forgot it is not a new
     * session. End of life: with the inbox's first/last seen.
     */
    private transient MapState<String, Long> userSessions;

    private transient Counter eventsProcessed;
    private transient Counter duplicates;
    private transient Counter lateEvents;
    private transient Counter triggersFired;

    /**
     * Wall-clock time from a trigger's ts to the moment it is decided, ms: how far behind real time
     * detection runs (for a stall, deadline to decision). Live only; in a replay of old data it is
     * the data's age.
     */
    private transient org.apache.flink.metrics.Histogram decisionLatency;

    // The states whose entries belong to one rule (keys start with the rule id): released when the
    // rule is removed.
    static final ValueStateDescriptor<Inbox> INBOX =
            new ValueStateDescriptor<>(StateNames.INBOX, Types.POJO(Inbox.class));
    static final MapStateDescriptor<String, Long> LEGACY_STALL_DEADLINES =
            new MapStateDescriptor<>(StateNames.LEGACY_STALL_DEADLINES, Types.STRING, Types.LONG);
    static final MapStateDescriptor<String, List<Long>> LEGACY_BURST_GROUPS =
            new MapStateDescriptor<>(
                    StateNames.LEGACY_BURST_GROUPS, Types.STRING, Types.LIST(Types.LONG));
    static final MapStateDescriptor<String, LoopWindow> LEGACY_LOOP_WINDOWS =
            new MapStateDescriptor<>(
                    StateNames.LEGACY_LOOP_WINDOWS, Types.STRING, Types.POJO(LoopWindow.class));
    static final MapStateDescriptor<String, ThresholdCount> THRESHOLD_COUNTS =
            new MapStateDescriptor<>(
                    StateNames.THRESHOLD_COUNTS, Types.STRING, Types.POJO(ThresholdCount.class));

    /**
     * Applies a function to one keyed state of every key, as a broadcast function's context can.
     */
    public interface EveryKey {
        <S extends org.apache.flink.api.common.state.State> void apply(
                org.apache.flink.api.common.state.StateDescriptor<S, ?> descriptor,
                org.apache.flink.runtime.state.KeyedStateFunction<String, S> function)
                throws Exception;
    }

    /** Removes, for every key, the state that belongs to a rule that is gone. */
    public static void releaseRule(String ruleId, EveryKey everyKey) throws Exception {
        String prefix = ruleId + SEP;
        everyKey.apply(
                INBOX,
                (key, state) -> {
                    Inbox in = state.value();
                    if (in == null) {
                        return;
                    }
                    boolean removed =
                            in.stallDeadlines().keySet().removeIf(k -> k.startsWith(prefix));
                    removed |= in.burstGroups().keySet().removeIf(k -> k.startsWith(prefix));
                    removed |= in.loopWindows().keySet().removeIf(k -> k.startsWith(prefix));
                    if (removed) {
                        state.update(in.compact()); // the key's timer may now fire with nothing
                        // due: it then moves on
                    }
                });
        everyKey.apply(
                LEGACY_STALL_DEADLINES, (key, state) -> removeKeysStartingWith(state, prefix));
        everyKey.apply(LEGACY_BURST_GROUPS, (key, state) -> removeKeysStartingWith(state, prefix));
        everyKey.apply(LEGACY_LOOP_WINDOWS, (key, state) -> removeKeysStartingWith(state, prefix));
        everyKey.apply(
                THRESHOLD_COUNTS,
                (key, state) -> {
                    state.remove(ruleId);
                    if (state.isEmpty()) {
                        state.clear();
                    }
                });
    }

    private static void removeKeysStartingWith(MapState<String, ?> state, String prefix)
            throws Exception {
        for (Iterator<String> it = state.keys().iterator(); it.hasNext(); ) {
            if (it.next().startsWith(prefix)) {
                it.remove();
            }
        }
        if (state.isEmpty()) {
            state.clear();
        }
    }

    public DetectionEngine(RuleSet rules, DetectionSettings settings) {
        this.rules = rules;
        this.settings = settings;
    }

    public RuleSet rules() {
        return rules;
    }

    /**
     * Switches to another rule set. State already collected stays and is read by the new rules: a
     * changed target or window applies to the counts already there; a new rule starts empty; state
     * of a removed rule is released by the caller ({@link #releaseRule}) and its stall timers fire
     * into nothing.
     */
    public void setRules(RuleSet newRules) {
        this.rules = newRules;
        index = new RuleIndex(newRules);
        sessionRetentionMs = Math.max(settings.sessionTimeoutMs, index.longestSessionWindowMs());
        userRetentionMs = Math.max(settings.userRetentionMs, index.longestUserWindowMs());
        sessionStartNudges = false;
        for (Rule r : newRules.rules) {
            sessionStartNudges |= r instanceof ThresholdRule && ((ThresholdRule) r).nudgeFrom >= 0;
        }
        if (policy != null) {
            policy.setRules(newRules, userRetentionMs);
        }
    }

    public void open(RuntimeContext ctx) {
        setRules(rules);
        inbox = ctx.getState(INBOX);
        legacyPending =
                ctx.getMapState(
                        new MapStateDescriptor<>(
                                StateNames.LEGACY_PENDING_EVENTS,
                                Types.LONG,
                                Types.LIST(Types.POJO(Event.class))));
        legacyNextCleanup =
                ctx.getState(
                        new ValueStateDescriptor<>(StateNames.LEGACY_NEXT_CLEANUP, Types.LONG));
        legacySessions =
                ctx.getMapState(
                        new MapStateDescriptor<>(
                                StateNames.LEGACY_SESSIONS, Types.STRING, Types.LONG));
        legacyStallDeadlines = ctx.getMapState(LEGACY_STALL_DEADLINES);
        legacyActivity =
                ctx.getState(
                        new ValueStateDescriptor<>(
                                StateNames.LEGACY_USER_ACTIVITY, Types.POJO(UserActivity.class)));
        seenIds =
                ctx.getMapState(
                        new MapStateDescriptor<>(
                                StateNames.SEEN_EVENT_IDS, Types.STRING, Types.LONG));
        legacyBurstGroups = ctx.getMapState(LEGACY_BURST_GROUPS);
        legacyLoopWindows = ctx.getMapState(LEGACY_LOOP_WINDOWS);
        thresholds = ctx.getMapState(THRESHOLD_COUNTS);
        userSessions =
                ctx.getMapState(
                        new MapStateDescriptor<>(
                                StateNames.USER_SESSIONS, Types.STRING, Types.LONG));
        policy = new DeliveryPolicy(ctx, rules, userRetentionMs);
        instant = new ArrayList<>();
        var metrics = ctx.getMetricGroup();
        eventsProcessed = metrics.counter("eventsProcessed");
        duplicates = metrics.counter("duplicateEvents");
        lateEvents = metrics.counter("lateEvents");
        triggersFired = metrics.counter("triggersFired");
        decisionLatency =
                metrics.histogram(
                        "triggerDecisionLatencyMs",
                        new org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram(1_000));
    }

    public void onEvent(Event e, Scope ctx) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
        Long seenAt = seenIds.get(e.eventId);
        if (seenAt != null && remembered(seenAt, watermark)) {
            duplicates.inc();
            ctx.output(OutputTags.DUPLICATES, e.eventId);
            return;
        }
        if (e.ts <= watermark) {
            // Upstream dead-letters late records with their original bytes; this only guards the
            // ordering promise.
            lateEvents.inc();
            ctx.output(
                    OutputTags.DEAD_LETTERS,
                    new DeadLetter(
                            DeadLetter.LATE,
                            (watermark - e.ts) + " ms behind the watermark",
                            EventJson.toJsonBytes(e),
                            null,
                            -1,
                            -1));
            return;
        }
        seenIds.put(e.eventId, e.ts);
        Inbox in = inbox.value();
        if (in == null) {
            in = fromLegacyLayout();
        }
        in.add(e);
        planCleanup(in, e.ts + Math.min(settings.dedupWindowMs, sessionRetentionMs));
        long wake = Math.min(e.ts, in.sweepAt);
        if (wake < in.wakeAt) {
            // an event earlier than everything else due: the key's one timer moves
            TimerService timers = ctx.timerService();
            timers.registerEventTimeTimer(wake);
            if (in.wakeAt != Inbox.NONE) {
                timers.deleteEventTimeTimer(in.wakeAt);
            }
            in.wakeAt = wake;
        }
        inbox.update(in.compact());
    }

    /**
     * The key's timer: runs, in time order, every instant the watermark has passed at which the key
     * has something due, then sets the timer to the next one.
     */
    public void onTimer(long time, Scope ctx, Collector<Trigger> out) throws Exception {
        TimerService timers = ctx.timerService();
        long watermark = timers.currentWatermark();
        String userId = ctx.getCurrentKey();
        Inbox in = inbox.value();
        if (in == null) {
            in = fromLegacyLayout(); // (a key with nothing at all has no timer, so this is a key
            // from before the inbox)
        }
        int done = 0;
        long previous = Long.MIN_VALUE;
        while (true) {
            long t = nextDue(in, done);
            if (t > watermark || t == Inbox.NONE) {
                break; // (the watermark at the end of input is Long.MAX_VALUE)
            }
            if (t <= previous) {
                throw new IllegalStateException(
                        "instant " + t + " of key " + userId + " came again after " + previous);
            }
            previous = t;
            boolean feedback = false;
            while (in.firstWaiting(done) == t) {
                Event e = in.waiting().get(done++);
                eventsProcessed.inc();
                feedback |= policy.onFeedback(e);
                evaluate(e, in);
            }
            fireStallDeadlines(t, userId, in);
            if (!instant.isEmpty()) {
                // every trigger of this instant is here: events at t ran, then the deadlines at t
                policy.decide(instant);
                decisionLatency.update(System.currentTimeMillis() - t);
                stampedWith(out, t);
                instant.forEach(out::collect);
                instant.clear();
                planCleanup(in, policy.nextExpiry());
            } else if (feedback) {
                planCleanup(in, policy.nextExpiry());
            }
            if (t >= in.sweepAt) {
                cleanup(t, in);
            }
        }
        in.ran(done);
        if (in.wakeAt != time && in.wakeAt != Inbox.NONE) {
            timers.deleteEventTimeTimer(
                    in.wakeAt); // a timer left from before (another firing ran its instants)
        }
        long next = nextDue(in, 0);
        in.wakeAt = next;
        if (next != Inbox.NONE) {
            timers.registerEventTimeTimer(next);
        }
        if (in.compact().isIdle()) {
            inbox.clear();
        } else {
            inbox.update(in);
        }
    }

    /**
     * Trigger records carry their instant as event time. One firing runs several instants, so the
     * timestamp Flink gave the collector (the firing's time) is replaced by each instant's.
     */
    private static void stampedWith(Collector<Trigger> out, long t) {
        if (out instanceof TimestampedCollector) {
            ((TimestampedCollector<Trigger>) out).setAbsoluteTimestamp(t);
        }
    }

    /**
     * A new inbox, holding what a savepoint from before the inbox kept for the key (its timers from
     * then fire and find the events here); empty for a new key.
     */
    private Inbox fromLegacyLayout() throws Exception {
        Inbox in = new Inbox();
        if (!legacyPending.isEmpty()) {
            for (Map.Entry<Long, List<Event>> atTs : legacyPending.entries()) {
                atTs.getValue().forEach(in::add); // by ts; equal ts stay in their order
            }
            legacyPending.clear();
        }
        Long sweep = legacyNextCleanup.value();
        if (sweep != null) {
            in.sweepAt = sweep;
            legacyNextCleanup.clear();
        }
        moveInto(legacySessions, in::sessions);
        moveInto(legacyStallDeadlines, in::stallDeadlines);
        moveInto(legacyBurstGroups, in::burstGroups);
        moveInto(legacyLoopWindows, in::loopWindows);
        UserActivity seen = legacyActivity.value();
        if (seen != null) {
            in.activity = seen;
            legacyActivity.clear();
        }
        return in;
    }

    /**
     * Moves a legacy map state's entries into the inbox map {@code target} gives (created only if
     * there are any).
     */
    private static <V> void moveInto(
            MapState<String, V> legacy, java.util.function.Supplier<Map<String, V>> target)
            throws Exception {
        if (legacy.isEmpty()) {
            return;
        }
        Map<String, V> into = target.get();
        for (Map.Entry<String, V> entry : legacy.entries()) {
            into.put(entry.getKey(), entry.getValue());
        }
        legacy.clear();
    }

    /**
     * The earliest instant at which the key has something due: a waiting event, a stall deadline or
     * a sweep.
     */
    private static long nextDue(Inbox in, int done) {
        return Math.min(Math.min(in.firstWaiting(done), in.sweepAt), in.firstDeadline());
    }

    // ---- evaluation of one event, in ts order ----

    private void evaluate(Event e, Inbox in) throws Exception {
        String userId = e.userId;
        // SPEC: the user's first event with a sessionId not seen before. Only threshold nudges ask.
        boolean newSession = false;
        if (sessionStartNudges && !userSessions.contains(e.sessionId)) {
            // a session that ran before a nudging rule was published is in sessions: seen, so not
            // new
            Long seenAt = in.sessions == null ? null : in.sessions.get(e.sessionId);
            newSession = seenAt == null;
            userSessions.put(e.sessionId, newSession ? e.ts : seenAt);
        }
        UserActivity seen = null;
        Long previousEventTs = null;
        if (index.hasPerUserRules()) {
            seen = in.activity;
            if (seen == null) {
                seen = new UserActivity(e.ts, e.ts);
                in.activity = seen;
            } else {
                previousEventTs = seen.lastSeen;
            }
        }

        for (Rule r : index.rulesFor(e.type)) {
            Trigger t = null;
            if (r instanceof StallRule) {
                onStallEvent((StallRule) r, e, in.stallDeadlines());
            } else if (r instanceof BurstRule) {
                t = onBurstEvent((BurstRule) r, e, userId, in.burstGroups());
            } else if (r instanceof LoopRule) {
                t = onLoopEvent((LoopRule) r, e, userId, in.loopWindows());
            } else if (r instanceof ThresholdRule) {
                t = onThresholdEvent((ThresholdRule) r, e, userId, seen, newSession, true);
            }
            emit(r, t);
        }
        if (seen != null) {
            for (ThresholdRule r : index.thresholdRulesNotFor(e.type)) {
                emit(r, onThresholdEvent(r, e, userId, seen, newSession, false));
            }
            for (ComebackRule r : index.comebackRules()) {
                if (previousEventTs != null && e.ts - previousEventTs >= r.gapMs) {
                    Trigger t = Triggers.of(rules, r, userId, null, e.ts);
                    t.reason.put("gap", Long.toString(r.gapMs));
                    t.reason.put("away", Long.toString(e.ts - previousEventTs));
                    t.reason.put("previousEventAt", Long.toString(previousEventTs));
                    emit(r, t);
                }
            }
            seen.lastSeen = e.ts;
        }
        in.sessions().put(e.sessionId, e.ts);
    }

    private void emit(Rule r, Trigger t) {
        if (t != null && r.enabled) {
            triggersFired.inc();
            instant.add(t);
        }
    }

    private static void onStallEvent(StallRule r, Event e, Map<String, Long> stallDeadlines) {
        String key = r.id + SEP + e.sessionId;
        if (r.start.matches(e)) {
            // a start restarts the wait, even when it also matches progress
            stallDeadlines.put(key, e.ts + r.withinMs);
        } else if (r.isProgress(e)) {
            Long deadline = stallDeadlines.get(key);
            if (deadline != null && e.ts <= deadline) {
                stallDeadlines.remove(key);
            }
        }
    }

    private Trigger onBurstEvent(
            BurstRule r, Event e, String userId, Map<String, List<Long>> burstGroups) {
        if (!r.match.matches(e)) {
            return null;
        }
        String value = r.sameField == null ? "" : e.field(r.sameField);
        if (value == null) {
            return null;
        }
        String key = r.id + SEP + e.sessionId + SEP + value;
        List<Long> group = burstGroups.get(key);
        if (group == null) {
            group = new ArrayList<>(r.count);
        }
        long from = e.ts - r.withinMs;
        group.removeIf(ts -> ts < from);
        group.add(e.ts);
        if (group.size() >= r.count) {
            burstGroups.remove(key);
            Trigger t = Triggers.of(rules, r, userId, e.sessionId, e.ts);
            t.reason.put("count", Integer.toString(group.size()));
            t.reason.put("within", Long.toString(r.withinMs));
            t.reason.put("firstAt", Long.toString(group.get(0)));
            if (r.sameField != null) {
                t.reason.put("field", Triggers.quote(r.sameField));
                t.reason.put("value", Triggers.quote(value));
            }
            return t;
        }
        burstGroups.put(key, group);
        return null;
    }

    private Trigger onLoopEvent(
            LoopRule r, Event e, String userId, Map<String, LoopWindow> loopWindows) {
        if (!r.match.matches(e)) {
            return null;
        }
        String value = e.field(r.field);
        if (value == null) {
            return null;
        }
        String key = r.id + SEP + e.sessionId;
        LoopWindow w = loopWindows.get(key);
        if (w == null) {
            w = new LoopWindow();
        } else if (value.equals(w.previous)) {
            return null; // a refresh is not a loop
        }
        w.previous = value;
        long from = e.ts - r.withinMs;
        int drop = 0;
        while (drop < w.times.size() && w.times.get(drop) < from) {
            drop++;
        }
        if (drop > 0) {
            w.times.subList(0, drop).clear();
            w.values.subList(0, drop).clear();
        }
        w.times.add(e.ts);
        w.values.add(value);
        int occurrences = 0;
        for (String v : w.values) {
            if (v.equals(value)) {
                occurrences++;
            }
        }
        Trigger t = null;
        if (occurrences >= r.times) {
            int distinct = new HashSet<>(w.values).size();
            t = Triggers.of(rules, r, userId, e.sessionId, e.ts);
            t.reason.put("times", Integer.toString(occurrences));
            t.reason.put("within", Long.toString(r.withinMs));
            t.reason.put("field", Triggers.quote(r.field));
            t.reason.put("value", Triggers.quote(value));
            t.reason.put("distinctValues", Integer.toString(distinct));
            w.times.clear();
            w.values.clear();
        }
        loopWindows.put(key, w);
        return t;
    }

    /**
     * One threshold rule for one event. {@code mayBeAction} is false when the event's type cannot
     * match the action, which leaves only the new-session nudge to check.
     */
    private Trigger onThresholdEvent(
            ThresholdRule r,
            Event e,
            String userId,
            UserActivity seen,
            boolean newSession,
            boolean mayBeAction)
            throws Exception {
        long t = e.ts;
        boolean windowOpen = !r.sinceFirstSeen || t < seen.firstSeen + r.windowMs;
        boolean counted = windowOpen && mayBeAction && r.action.matches(e);
        if (!counted && !(newSession && windowOpen && r.nudgeFrom >= 0)) {
            return null;
        }
        ThresholdCount c = thresholds.get(r.id);
        boolean fresh = c == null;
        if (fresh) {
            c = new ThresholdCount(); // a user with no counted action yet: count 0
        }
        int count;
        if (r.sinceFirstSeen) {
            if (counted) {
                c.count++;
            }
            count = c.count;
        } else {
            if (counted) {
                c.recent.add(t);
                if (c.recent.size() > r.target) {
                    c.recent.subList(0, c.recent.size() - r.target).clear();
                }
            }
            long from = t - r.windowMs; // window (t - W, t]
            c.recent.removeIf(ts -> ts <= from);
            count = c.recent.size();
        }
        Trigger out = null;
        if (counted && count >= r.target) {
            boolean fire =
                    r.reachedGuide != null
                            && (r.sinceFirstSeen ? !c.reached : c.lastReached <= t - r.windowMs);
            if (fire) {
                out = Triggers.of(rules, r, userId, null, t);
                out.guide = r.reachedGuide;
                c.reached = true;
                c.lastReached = t;
                thresholdReason(out, r, count, seen);
                out.reason.put("reached", "true");
            }
        } else if (r.inNudgeBand(count)) {
            out = Triggers.of(rules, r, userId, null, t);
            thresholdReason(out, r, count, seen);
            if (!counted) {
                out.reason.put("newSession", Triggers.quote(e.sessionId));
            }
        }
        if (counted || !fresh) {
            thresholds.put(r.id, c);
        }
        return out;
    }

    private static void thresholdReason(Trigger t, ThresholdRule r, int count, UserActivity seen) {
        t.reason.put("count", Integer.toString(count));
        t.reason.put("target", Integer.toString(r.target));
        t.reason.put(r.sinceFirstSeen ? "sinceFirstSeen" : "rolling", Long.toString(r.windowMs));
        if (r.sinceFirstSeen) {
            t.reason.put("firstSeen", Long.toString(seen.firstSeen));
        }
    }

    // ---- stall deadlines ----

    private void fireStallDeadlines(long time, String userId, Inbox in) {
        if (in.stallDeadlines == null) {
            return;
        }
        List<Map.Entry<String, Long>> due = null;
        for (Map.Entry<String, Long> entry : in.stallDeadlines.entrySet()) {
            if (entry.getValue() <= time) {
                if (due == null) {
                    due = new ArrayList<>(2);
                }
                due.add(Map.entry(entry.getKey(), entry.getValue()));
            }
        }
        if (due == null) {
            return;
        }
        due.sort(
                Map.Entry.<String, Long>comparingByValue()
                        .thenComparing(Map.Entry.comparingByKey()));
        for (Map.Entry<String, Long> d : due) {
            in.stallDeadlines.remove(d.getKey());
            String key = d.getKey();
            int sep = key.indexOf(SEP);
            Rule rule = index.rule(key.substring(0, sep));
            if (!(rule instanceof StallRule)) {
                continue; // the rule is gone: release, fire nothing
            }
            StallRule stall = (StallRule) rule;
            long deadline = d.getValue();
            Trigger t = Triggers.of(rules, stall, userId, key.substring(sep + 1), deadline);
            t.reason.put("within", Long.toString(stall.withinMs));
            t.reason.put("startedAt", Long.toString(deadline - stall.withinMs));
            t.reason.put("deadline", Long.toString(deadline));
            emit(stall, t);
        }
    }

    // ---- cleanup: event ids, idle sessions, idle users ----

    /** Makes sure the next sweep runs no later than {@code dueAt}, rounded up to the minute. */
    private static void planCleanup(Inbox in, long dueAt) {
        if (dueAt != Long.MAX_VALUE) {
            in.sweepAt = Math.min(in.sweepAt, roundUp(dueAt));
        }
    }

    private void cleanup(long time, Inbox in) throws Exception {
        long next = Long.MAX_VALUE;

        boolean idsRemoved = false;
        long firstIdExpiry = Long.MAX_VALUE;
        long lastIdExpiry = Long.MIN_VALUE;
        for (Iterator<Map.Entry<String, Long>> it = seenIds.iterator(); it.hasNext(); ) {
            long seenAt = it.next().getValue();
            long expiry = seenAt + settings.dedupWindowMs;
            if (expiry <= time) {
                it.remove();
                idsRemoved = true;
            } else {
                firstIdExpiry = Math.min(firstIdExpiry, expiry);
                lastIdExpiry = Math.max(lastIdExpiry, expiry);
            }
            if (seenAt > time) {
                // not evaluated yet, so its session is not in the sessions map to plan the next
                // sweep: keep the
                // one onEvent planned for it, or the session outlives its retention
                next =
                        Math.min(
                                next,
                                seenAt + Math.min(settings.dedupWindowMs, sessionRetentionMs));
            }
        }
        if (idsRemoved && seenIds.isEmpty()) {
            // removing through the iterator leaves an empty map behind on the heap backend; drop
            // the key's entry
            seenIds.clear();
        }
        if (firstIdExpiry != Long.MAX_VALUE) {
            // An id past its sweep is no longer a duplicate (see remembered), so it need not leave
            // at that sweep: the
            // ids are removed at most one dedup window apart, instead of at a sweep for every
            // minute in which an
            // event came; the last of them still leaves at the sweep when the last id expires, as
            // before.
            next =
                    Math.min(
                            next,
                            Math.min(
                                    lastIdExpiry,
                                    Math.max(firstIdExpiry, time + settings.dedupWindowMs)));
        }

        Set<String> idle = null;
        Map<String, Long> live = in.sessions == null ? Map.of() : in.sessions;
        for (Iterator<Map.Entry<String, Long>> it = live.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> s = it.next();
            long expiry = s.getValue() + sessionRetentionMs;
            if (expiry <= time) {
                if (idle == null) {
                    idle = new HashSet<>();
                }
                idle.add(s.getKey());
                it.remove();
            } else {
                next = Math.min(next, expiry);
            }
        }
        if (idle != null) {
            forgetSessions(idle, in);
        }

        UserActivity seen = in.activity;
        if (seen != null) {
            long expiry = seen.lastSeen + userRetentionMs;
            if (expiry <= time) {
                in.activity = null;
                thresholds.clear();
                userSessions.clear();
            } else {
                next = Math.min(next, expiry);
            }
        }
        next = Math.min(next, policy.cleanup(time));

        // this sweep is running: the next one is simply the earliest expiry left
        in.sweepAt = next == Long.MAX_VALUE ? Inbox.NONE : roundUp(next);
    }

    private static void forgetSessions(Set<String> idle, Inbox in) {
        if (in.burstGroups != null) {
            in.burstGroups
                    .keySet()
                    .removeIf(
                            key -> {
                                int a = key.indexOf(SEP);
                                return idle.contains(key.substring(a + 1, key.indexOf(SEP, a + 1)));
                            });
        }
        if (in.loopWindows != null) {
            in.loopWindows
                    .keySet()
                    .removeIf(key -> idle.contains(key.substring(key.indexOf(SEP) + 1)));
        }
    }

    /**
     * True while an id seen at {@code seenAt} still marks duplicates at {@code watermark}: until
     * the sweep at its expiry, rounded up to the minute, is due. A sweep may leave an expired id in
     * the map for a while; from that sweep on it is forgotten all the same.
     */
    private boolean remembered(long seenAt, long watermark) {
        return roundUp(seenAt + settings.dedupWindowMs) > watermark;
    }

    static long roundUp(long t) {
        return Math.floorDiv(t + CLEANUP_ROUNDING_MS - 1, CLEANUP_ROUNDING_MS)
                * CLEANUP_ROUNDING_MS;
    }
}
