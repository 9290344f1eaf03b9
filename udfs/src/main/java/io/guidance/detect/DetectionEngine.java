package io.guidance.detect;

import io.guidance.deliver.DeliveryPolicy;
import io.guidance.event.DeadLetter;
import io.guidance.event.Event;
import io.guidance.event.EventJson;
import io.guidance.event.OutputTags;
import io.guidance.experiment.ExperimentRecord;
import io.guidance.experiment.Exposures;
import io.guidance.rules.RuleSet;
import io.guidance.trigger.Trigger;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.operators.TimestampedCollector;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The detection and delivery logic, run by {@link DetectionFunction} (fixed rules) and {@link
 * LiveRulesFunction} (rules that change while the job runs). Evaluates every rule for one user,
 * keyed by {@code userId}: per-session rules keep their state per session inside the user's key, so
 * the graph needs a single shuffle. What each rule kind does is its {@link Detector}'s; the engine
 * keeps what they share: the inbox and its one timer, dedup, the order of instants, the sweep, the
 * hand-off to the {@link DeliveryPolicy}, and the metrics.
 *
 * <p>Time: events wait in the user's {@link Inbox} until the watermark passes their {@code ts},
 * then run in {@code ts} order (equal {@code ts} in arrival order). Arrival order within the
 * out-of-orderness bound therefore does not change the result. At one instant, events are evaluated
 * before the deadlines that fall on it, so progress exactly at a stall deadline cancels the stall
 * (SPEC section 3).
 *
 * <p>Timers: one per user, at the earliest of what is due next: its first waiting event, its first
 * open deadline, or its next cleanup sweep (rounded up to the minute; it forgets event ids, idle
 * sessions and idle users). When the timer fires, everything of the user that the watermark has
 * passed runs in one go, instant by instant in time order: at each instant the events, then the
 * deadlines, then the policy decides the instant's triggers, then the sweep if it is due. An event
 * that arrives earlier than the timer moves it. A user therefore costs one timer, not one per event
 * instant, and a watermark step costs one firing per user with something due.
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

    /** Separates the parts of a state key: rule id, session id, group value. */
    static final char SEP = '\u001f';

    /** Cleanup timers are rounded up to this, so one timer serves a whole minute of events. */
    static final long CLEANUP_ROUNDING_MS = 60_000L;

    static final ValueStateDescriptor<Inbox> INBOX =
            new ValueStateDescriptor<>(StateNames.INBOX, Types.POJO(Inbox.class));

    static final ListStateDescriptor<Event> ARRIVALS =
            new ListStateDescriptor<>(StateNames.ARRIVALS, TypeInformation.of(Event.class));

    private RuleSet rules;
    private final DetectionSettings settings;

    private transient List<Detector<?>> detectors;
    private transient RuleIndex index;

    /** The index's reusable work space: handing an event to its rules allocates nothing. */
    private transient RuleIndex.Selection selection;

    private transient DeliveryPolicy policy;
    private transient Exposures exposures;

    /** Where experiment records go: the scope of the call being served. */
    private transient Scope scope;

    private transient Consumer<ExperimentRecord> experimentRecords;

    /** What the detectors read of the user; one instance, refilled for each event. */
    private transient UserContext user;

    /**
     * Triggers of the instant being processed, decided together by the policy before they leave.
     */
    private transient List<Trigger> instant;

    private transient long sessionRetentionMs;
    private transient long userRetentionMs;

    /**
     * Events waiting for the watermark, the key's timer and its next sweep, sessions, first/last
     * seen, and the per-session state of the detectors ({@link Inbox}). End of life: events leave
     * when the watermark passes their ts, which runs them; the whole value when nothing waits and
     * nothing is due.
     */
    private transient ValueState<Inbox> inbox;

    /**
     * Events that arrived since the key's timer last fired, in arrival order, not yet checked for
     * duplicates: appended to without reading anything (on RocksDB a merge, not a read and a write
     * of the user's state). End of life: the next firing of the key's timer (there is one at every
     * arrival's ts) moves them into the inbox, or drops them as duplicates, and clears the list.
     */
    private transient ListState<Event> arrivals;

    /** Ids of recent events, for dedup (their state and its end of life are there). */
    private transient RecentEventIds recentIds;

    /**
     * sessionId -> ts of its first event, for every session of the user, kept only when some rule
     * watches session starts: a session that comes back after the inbox's sessions forgot it is not
     * a new session. End of life: with the inbox's first/last seen, or earlier, once no rule can
     * ask about a session start any more (every such rule counts {@code sinceFirstSeen}, and its
     * window has closed for the user): see {@link RuleIndex#sessionStartsMatterForMs()}. A rule
     * published later with a longer window then takes a session that came back after the inbox
     * forgot it for a new one.
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
    private transient Histogram decisionLatency;

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
     * of a removed rule is released by the caller ({@link #releaseRule}) and its deadlines fire
     * into nothing.
     */
    public void setRules(RuleSet newRules) {
        this.rules = newRules;
        index = new RuleIndex(newRules, detectors);
        selection = index.newSelection();
        user.rules = newRules;
        user.index = index;
        sessionRetentionMs = Math.max(settings.sessionTimeoutMs, index.longestSessionWindowMs());
        userRetentionMs =
                Math.max(
                        Math.max(settings.userRetentionMs, index.longestUserWindowMs()),
                        Exposures.longestWindowMs(newRules));
        if (policy != null) {
            policy.setRules(newRules, userRetentionMs);
            exposures.setRules(newRules);
        }
    }

    public void open(RuntimeContext ctx) {
        detectors = Detectors.all();
        for (Detector<?> d : detectors) {
            d.open(ctx);
        }
        user = new UserContext();
        setRules(rules);
        inbox = ctx.getState(INBOX);
        arrivals = ctx.getListState(ARRIVALS);
        recentIds = new RecentEventIds(ctx, settings.dedupWindowMs);
        userSessions =
                ctx.getMapState(
                        new MapStateDescriptor<>(
                                StateNames.USER_SESSIONS, Types.STRING, Types.LONG));
        policy = new DeliveryPolicy(ctx, rules, userRetentionMs);
        exposures = new Exposures(ctx, rules);
        experimentRecords = r -> scope.output(OutputTags.EXPERIMENTS, r);
        instant = new ArrayList<>();
        var metrics = ctx.getMetricGroup();
        eventsProcessed = metrics.counter("eventsProcessed");
        duplicates = metrics.counter("duplicateEvents");
        lateEvents = metrics.counter("lateEvents");
        triggersFired = metrics.counter("triggersFired");
        decisionLatency =
                metrics.histogram(
                        "triggerDecisionLatencyMs", new DescriptiveStatisticsHistogram(1_000));
    }

    /** Removes, for every key, the state that belongs to a rule that is gone. */
    public void releaseRule(String ruleId, EveryKey everyKey) throws Exception {
        everyKey.apply(
                INBOX,
                (key, state) -> {
                    Inbox in = state.value();
                    if (in == null) {
                        return;
                    }
                    boolean removed = false;
                    for (Detector<?> d : detectors) {
                        removed |= d.releaseRule(ruleId, in);
                    }
                    if (removed) {
                        // the key's timer may now fire with nothing due: it then moves on
                        state.update(in.compact());
                    }
                });
        for (Detector<?> d : detectors) {
            d.releaseRule(ruleId, everyKey);
        }
    }

    /** True for a state key of the rule: its keys start with the rule id. */
    static Predicate<String> ofRule(String ruleId) {
        String prefix = ruleId + SEP;
        return key -> key.startsWith(prefix);
    }

    /**
     * An arrival: appended to the key's arrivals with a timer at its ts, nothing read. The firing
     * of that timer (or an earlier one of the key, once the watermark passes) checks it for
     * duplicates and lets it wait in the inbox until the watermark passes its ts.
     */
    public void onEvent(Event e, Scope ctx) throws Exception {
        long watermark = ctx.timerService().currentWatermark();
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
        arrivals.add(e);
        // Flink keeps one timer per key and time: events at one ts share it
        ctx.timerService().registerEventTimeTimer(e.ts);
    }

    /**
     * Moves the arrivals into the inbox in arrival order, each checked for duplicates (against the
     * ids of the dedup window and the arrivals before it), and deletes their timers but the one
     * firing: the timer set at the end of the firing covers what still waits. A user restored from
     * the first layout is migrated here, at its first firing.
     */
    private void takeArrivals(Inbox in, long time, long watermark, Scope ctx) throws Exception {
        boolean migrate = in.layout < Inbox.CURRENT_LAYOUT;
        Iterable<Event> arrived = arrivals.get();
        boolean any = arrived != null && arrived.iterator().hasNext();
        if (!any && !migrate) {
            return;
        }
        recentIds.open(in);
        if (migrate) {
            migrate(in, time);
        }
        if (any) {
            TimerService timers = ctx.timerService();
            for (Event e : arrived) {
                if (e.ts != time) {
                    timers.deleteEventTimeTimer(e.ts);
                    if (e.ts == in.wakeAt) {
                        in.wakeAt = Inbox.NONE; // that was the key's timer too: set it again below
                    }
                }
                if (recentIds.isDuplicate(e.eventId, e.ts)) {
                    duplicates.inc();
                    ctx.output(OutputTags.DUPLICATES, e.eventId);
                    continue;
                }
                recentIds.remember(e.eventId, e.ts);
                in.add(e);
                planCleanup(in, e.ts + Math.min(settings.dedupWindowMs, sessionRetentionMs));
            }
            arrivals.clear();
        }
        recentIds.close(in, true);
    }

    /**
     * A user restored from a snapshot of the first layout: its event ids move from their map state
     * into the inbox, and the bookkeeping that layout did not keep is assumed to hold something.
     */
    private void migrate(Inbox in, long time) throws Exception {
        recentIds.migrate();
        in.layout = Inbox.CURRENT_LAYOUT;
        in.policyDueAt = time; // read the policy's state at the next sweep, which it planned
        if (in.activity != null) {
            in.hasSessionIds = true;
            in.mayHaveExposures = true;
        } else {
            // nothing would clear them later: a user without first/last seen keeps neither
            userSessions.clear();
            exposures.forgetUser();
        }
    }

    /**
     * The key's timer: runs, in time order, every instant the watermark has passed at which the key
     * has something due, then sets the timer to the next one.
     */
    public void onTimer(long time, Scope ctx, Collector<Trigger> out) throws Exception {
        TimerService timers = ctx.timerService();
        long watermark = timers.currentWatermark();
        Inbox in = inbox.value();
        if (in == null) {
            in = Inbox.fresh();
        }
        takeArrivals(in, time, watermark, ctx);
        user.userId = ctx.getCurrentKey();
        user.inbox = in;
        scope = ctx;
        int done = 0;
        long previous = Long.MIN_VALUE;
        while (true) {
            long t = nextDue(in, done);
            if (t > watermark || t == Inbox.NONE) {
                break; // (the watermark at the end of input is Long.MAX_VALUE)
            }
            if (t <= previous) {
                throw new IllegalStateException(
                        "instant "
                                + t
                                + " of key "
                                + user.userId
                                + " came again after "
                                + previous);
            }
            previous = t;
            boolean feedback = false;
            while (in.firstWaiting(done) == t) {
                Event e = in.waiting().get(done++);
                eventsProcessed.inc();
                feedback |= policy.onFeedback(e);
                evaluate(e, in);
            }
            for (Detector<?> d : detectors) {
                d.onDeadlines(t, user, instant);
            }
            if (!instant.isEmpty()) {
                // every trigger of this instant is here: events at t ran, then the deadlines at t
                triggersFired.inc(instant.size());
                policy.decide(instant);
                if (rules.hasExperiments()) {
                    long waitEnd = exposures.expose(instant, experimentRecords);
                    in.conversionWaitEnd = Math.max(in.conversionWaitEnd, waitEnd);
                    in.mayHaveExposures = true;
                }
                decisionLatency.update(System.currentTimeMillis() - t);
                stampedWith(out, t);
                instant.forEach(out::collect);
                instant.clear();
                planPolicyCleanup(in, policy.expiryAfterDecisionAt(t));
            }
            if (feedback) {
                planPolicyCleanup(in, policy.expiryAfterFeedbackAt(t));
            }
            if (t >= in.sweepAt) {
                cleanup(t, in);
            }
        }
        in.ran(done);
        long next = nextDue(in, 0);
        if (next != in.wakeAt) {
            if (in.wakeAt != time && in.wakeAt != Inbox.NONE) {
                // a timer left from before (another firing ran its instants)
                timers.deleteEventTimeTimer(in.wakeAt);
            }
            in.wakeAt = next;
            if (next != Inbox.NONE) {
                timers.registerEventTimeTimer(next);
            }
        } // else: still set (a later one than this firing's), as it should be
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
     * The earliest instant at which the key has something due: a waiting event, a deadline or a
     * sweep.
     */
    private long nextDue(Inbox in, int done) {
        long t = Math.min(in.firstWaiting(done), in.sweepAt);
        for (Detector<?> d : detectors) {
            t = Math.min(t, d.nextDeadline(in));
        }
        return t;
    }

    // ---- evaluation of one event, in ts order ----

    private void evaluate(Event e, Inbox in) throws Exception {
        // SPEC: the user's first event with a sessionId not seen before; asked by threshold nudges.
        boolean newSession = false;
        // A session in the inbox's sessions is live, so not new, and went into the session ids
        // when it started: neither is read for the events after a session's first. (A session that
        // started before a nudging rule was published, and comes back after the inbox forgot it, is
        // then taken for a new one.)
        if (index.watchesSessionStarts()
                && (in.sessions == null || !in.sessions.containsKey(e.sessionId))
                && sessionStartsMatter(e.ts, in)
                && !(in.hasSessionIds && userSessions.contains(e.sessionId))) {
            newSession = true;
            userSessions.put(e.sessionId, e.ts);
            in.hasSessionIds = true;
        }
        if (e.ts <= in.conversionWaitEnd && exposures.matchesSomeGoal(e)) {
            if (!exposures.convert(e, experimentRecords)) {
                in.conversionWaitEnd = 0; // every wait converted or ended
            }
        }
        UserActivity seen = null;
        long previousEventTs = UserContext.NO_PREVIOUS_EVENT;
        // experiments remember a user's exposures as long as the user: they need last seen too
        if (index.hasPerUserRules() || rules.hasExperiments()) {
            seen = in.activity;
            if (seen == null) {
                seen = new UserActivity(e.ts, e.ts);
                in.activity = seen;
            } else {
                previousEventTs = seen.lastSeen;
            }
        }
        user.activity = seen;
        user.previousEventTs = previousEventTs;
        user.newSession = newSession;

        // only the rules that may match the event, and those that see it by their reach
        index.handTo(e, selection, user, instant);
        if (seen != null) {
            seen.lastSeen = e.ts;
        }
        in.sessions().put(e.sessionId, e.ts);
    }

    /** Whether some rule can still ask at {@code ts} whether an event starts a new session. */
    private boolean sessionStartsMatter(long ts, Inbox in) {
        long forMs = index.sessionStartsMatterForMs();
        if (forMs == Long.MAX_VALUE) {
            return true;
        }
        long firstSeen = in.activity == null ? ts : in.activity.firstSeen;
        return ts - firstSeen < forMs;
    }

    // ---- cleanup: event ids, idle sessions, idle users ----

    /** Plans a sweep that cleans the delivery policy's state no later than {@code dueAt}. */
    private static void planPolicyCleanup(Inbox in, long dueAt) {
        in.policyDueAt = Math.min(in.policyDueAt, dueAt);
        planCleanup(in, dueAt);
    }

    /** Makes sure the next sweep runs no later than {@code dueAt}, rounded up to the minute. */
    private static void planCleanup(Inbox in, long dueAt) {
        if (dueAt != Long.MAX_VALUE) {
            in.sweepAt = Math.min(in.sweepAt, roundUp(dueAt));
        }
    }

    private void cleanup(long time, Inbox in) throws Exception {
        long next = recentIds.sweep(in, time);
        if (in.waiting != null) {
            // taken in but not run yet: no session in the inbox plans a sweep for them
            for (Event e : in.waiting) {
                if (e.ts > time) {
                    next =
                            Math.min(
                                    next,
                                    e.ts + Math.min(settings.dedupWindowMs, sessionRetentionMs));
                }
            }
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
            for (Detector<?> d : detectors) {
                d.forgetSessions(idle, in);
            }
        }

        UserActivity seen = in.activity;
        if (seen != null) {
            long expiry = seen.lastSeen + userRetentionMs;
            if (expiry <= time) {
                in.activity = null;
                in.conversionWaitEnd = 0;
                if (in.hasSessionIds) {
                    userSessions.clear();
                    in.hasSessionIds = false;
                }
                if (in.mayHaveExposures) {
                    exposures.forgetUser();
                    in.mayHaveExposures = false;
                }
                for (Detector<?> d : detectors) {
                    d.forgetUser(in);
                }
            } else {
                next = Math.min(next, expiry);
                next = Math.min(next, forgetSessionIdsOnceUnasked(time, seen, in));
            }
        }
        if (time >= in.policyDueAt) {
            in.policyDueAt = policy.cleanup(time); // Long.MAX_VALUE is Inbox.NONE
        }
        next = Math.min(next, in.policyDueAt);

        // this sweep is running: the next one is simply the earliest expiry left
        in.sweepAt = next == Long.MAX_VALUE ? Inbox.NONE : roundUp(next);
    }

    /**
     * Forgets the user's session ids once no rule can ask about a session start any more; else the
     * time that happens ({@link Long#MAX_VALUE}: never before the user's end of life).
     */
    private long forgetSessionIdsOnceUnasked(long time, UserActivity seen, Inbox in)
            throws Exception {
        long forMs = index.sessionStartsMatterForMs();
        if (!index.watchesSessionStarts() || forMs == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        long end = seen.firstSeen + forMs;
        if (end < seen.firstSeen) {
            return Long.MAX_VALUE; // overflow: as good as never
        }
        if (end <= time) {
            if (in.hasSessionIds) {
                userSessions.clear();
                in.hasSessionIds = false;
            }
            return Long.MAX_VALUE;
        }
        return end;
    }

    static long roundUp(long t) {
        return Math.floorDiv(t + CLEANUP_ROUNDING_MS - 1, CLEANUP_ROUNDING_MS)
                * CLEANUP_ROUNDING_MS;
    }
}
