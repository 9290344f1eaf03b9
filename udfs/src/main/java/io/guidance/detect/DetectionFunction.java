package io.guidance.detect;

import io.guidance.event.DeadLetter;
import io.guidance.event.Event;
import io.guidance.event.EventJson;
import io.guidance.rules.Rule;
import io.guidance.rules.RuleSet;
import io.guidance.rules.StallRule;
import io.guidance.trigger.Trigger;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Evaluates every rule for one user, keyed by {@code userId}: per-session rules keep their state per session inside
 * the user's key, so the graph needs a single shuffle.
 *
 * <p>Time: events wait in {@link #pending} until the watermark passes their {@code ts}, then run in {@code ts} order
 * (equal {@code ts} in arrival order). Arrival order within the out-of-orderness bound therefore does not change the
 * result. At one instant, events are evaluated before the deadlines that fall on it, so progress exactly at a
 * deadline cancels the stall (SPEC section 3).
 *
 * <p>Output: triggers in event-time order per user; side outputs {@link OutputTags#DUPLICATES} and
 * {@link OutputTags#DEAD_LETTERS} (events that reached this function behind its watermark).
 */
public class DetectionFunction extends KeyedProcessFunction<String, Event, Trigger> {
    private static final long serialVersionUID = 1L;
    private static final char KEY_SEPARATOR = '\u001f';
    /** Dedup sweeps are rounded up to this, so one timer serves a whole minute of events. */
    static final long SWEEP_ROUNDING_MS = 60_000L;

    private final RuleSet rules;
    private final long dedupWindowMs;

    private transient RuleIndex index;

    /**
     * Events waiting for the watermark, by ts. End of life: each entry is removed by the event-time timer at its ts,
     * which processes it.
     */
    private transient MapState<Long, List<Event>> pending;
    /**
     * eventId -> ts of events already accepted, for dedup. End of life: removed by the sweep timer once the
     * watermark passes ts + dedupWindow.
     */
    private transient MapState<String, Long> seenIds;
    /** The time of the one pending dedup sweep timer, or null. End of life: cleared when nothing is left to sweep. */
    private transient ValueState<Long> nextSweep;
    /**
     * (ruleId, sessionId) -> deadline of an open stall wait. End of life: removed when progress cancels the wait,
     * when it fires at its deadline (a timer at the deadline), or when the rule is gone.
     */
    private transient MapState<String, Long> stallDeadlines;

    private transient Counter eventsProcessed;
    private transient Counter duplicates;
    private transient Counter lateEvents;
    private transient Counter triggersFired;

    public DetectionFunction(RuleSet rules, long dedupWindowMs) {
        this.rules = rules;
        this.dedupWindowMs = dedupWindowMs;
    }

    @Override
    public void open(OpenContext openContext) {
        index = new RuleIndex(rules);
        pending = getRuntimeContext().getMapState(new MapStateDescriptor<>(
                StateNames.PENDING_EVENTS, Types.LONG, Types.LIST(Types.POJO(Event.class))));
        seenIds = getRuntimeContext().getMapState(
                new MapStateDescriptor<>(StateNames.SEEN_EVENT_IDS, Types.STRING, Types.LONG));
        nextSweep = getRuntimeContext().getState(new ValueStateDescriptor<>(StateNames.NEXT_DEDUP_SWEEP, Types.LONG));
        stallDeadlines = getRuntimeContext().getMapState(
                new MapStateDescriptor<>(StateNames.STALL_DEADLINES, Types.STRING, Types.LONG));
        var metrics = getRuntimeContext().getMetricGroup();
        eventsProcessed = metrics.counter("eventsProcessed");
        duplicates = metrics.counter("duplicateEvents");
        lateEvents = metrics.counter("lateEvents");
        triggersFired = metrics.counter("triggersFired");
    }

    @Override
    public void processElement(Event e, Context ctx, Collector<Trigger> out) throws Exception {
        if (seenIds.contains(e.eventId)) {
            duplicates.inc();
            ctx.output(OutputTags.DUPLICATES, e.eventId);
            return;
        }
        long watermark = ctx.timerService().currentWatermark();
        if (e.ts <= watermark) {
            // Upstream dead-letters late records with their original bytes; this only guards the ordering promise.
            lateEvents.inc();
            ctx.output(OutputTags.DEAD_LETTERS, new DeadLetter(DeadLetter.LATE,
                    (watermark - e.ts) + " ms behind the watermark", EventJson.toJsonBytes(e), null, -1, -1));
            return;
        }
        seenIds.put(e.eventId, e.ts);
        List<Event> atTs = pending.get(e.ts);
        if (atTs == null) {
            atTs = new ArrayList<>(1);
            ctx.timerService().registerEventTimeTimer(e.ts);
        }
        atTs.add(e);
        pending.put(e.ts, atTs);
        scheduleSweep(e.ts + dedupWindowMs, ctx.timerService());
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<Trigger> out) throws Exception {
        String userId = ctx.getCurrentKey();
        List<Event> due = pending.get(time);
        if (due != null) {
            pending.remove(time);
            for (Event e : due) {
                eventsProcessed.inc();
                evaluate(e, ctx, out);
            }
        }
        fireStallDeadlines(time, userId, out);
        Long sweep = nextSweep.value();
        if (sweep != null && time >= sweep) {
            sweepSeenIds(time, ctx.timerService());
        }
    }

    private void evaluate(Event e, Context ctx, Collector<Trigger> out) throws Exception {
        for (StallRule r : index.stallRulesFor(e.type)) {
            String key = r.id + KEY_SEPARATOR + e.sessionId;
            if (r.start.matches(e)) {
                // a start restarts the wait, even when it also matches progress
                Long old = stallDeadlines.get(key);
                long deadline = e.ts + r.withinMs;
                stallDeadlines.put(key, deadline);
                ctx.timerService().registerEventTimeTimer(deadline);
                if (old != null && old != deadline) {
                    releaseTimer(old, ctx);
                }
            } else if (r.isProgress(e)) {
                Long deadline = stallDeadlines.get(key);
                if (deadline != null && e.ts <= deadline) {
                    stallDeadlines.remove(key);
                    releaseTimer(deadline, ctx);
                }
            }
        }
    }

    private void fireStallDeadlines(long time, String userId, Collector<Trigger> out) throws Exception {
        List<Map.Entry<String, Long>> due = null;
        for (Iterator<Map.Entry<String, Long>> it = stallDeadlines.iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> entry = it.next();
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
        due.sort(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()));
        for (Map.Entry<String, Long> d : due) {
            stallDeadlines.remove(d.getKey());
            String key = d.getKey();
            int sep = key.indexOf(KEY_SEPARATOR);
            Rule rule = index.rule(key.substring(0, sep));
            if (!(rule instanceof StallRule) || !rule.enabled) {
                continue; // rule removed or disabled since the wait opened: release, fire nothing
            }
            StallRule stall = (StallRule) rule;
            long deadline = d.getValue();
            Trigger t = Triggers.of(rules, stall, userId, key.substring(sep + 1), deadline);
            t.reason.put("within", Long.toString(stall.withinMs));
            t.reason.put("startedAt", Long.toString(deadline - stall.withinMs));
            t.reason.put("deadline", Long.toString(deadline));
            triggersFired.inc();
            out.collect(t);
        }
    }

    /** Registers the dedup sweep, rounded up so that one timer serves many events. */
    private void scheduleSweep(long dueAt, org.apache.flink.streaming.api.TimerService timers) throws Exception {
        if (nextSweep.value() == null) {
            long at = roundUp(dueAt);
            nextSweep.update(at);
            timers.registerEventTimeTimer(at);
        }
    }

    private void sweepSeenIds(long time, org.apache.flink.streaming.api.TimerService timers) throws Exception {
        long oldestKept = Long.MAX_VALUE;
        for (Iterator<Map.Entry<String, Long>> it = seenIds.iterator(); it.hasNext(); ) {
            Map.Entry<String, Long> entry = it.next();
            long ts = entry.getValue();
            if (ts + dedupWindowMs <= time) {
                it.remove();
            } else {
                oldestKept = Math.min(oldestKept, ts);
            }
        }
        nextSweep.clear();
        if (oldestKept != Long.MAX_VALUE) {
            scheduleSweep(oldestKept + dedupWindowMs, timers);
        } else {
            // removing through the iterator leaves an empty map behind on the heap backend; drop the key's entry
            seenIds.clear();
        }
    }

    /** Deletes the timer at {@code time} unless something else of this key still needs it. */
    private void releaseTimer(long time, Context ctx) throws Exception {
        if (pending.contains(time)) {
            return;
        }
        Long sweep = nextSweep.value();
        if (sweep != null && sweep == time) {
            return;
        }
        for (Long deadline : stallDeadlines.values()) {
            if (deadline == time) {
                return;
            }
        }
        ctx.timerService().deleteEventTimeTimer(time);
    }

    static long roundUp(long t) {
        return Math.floorDiv(t + SWEEP_ROUNDING_MS - 1, SWEEP_ROUNDING_MS) * SWEEP_ROUNDING_MS;
    }
}
