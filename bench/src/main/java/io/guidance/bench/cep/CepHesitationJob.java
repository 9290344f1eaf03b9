package io.guidance.bench.cep;

import io.guidance.event.Event;
import io.guidance.rules.BurstRule;
import io.guidance.rules.LoopRule;
import io.guidance.rules.Matcher;
import io.guidance.rules.Rule;
import io.guidance.rules.RuleSet;
import io.guidance.rules.StallRule;
import io.guidance.rules.WindowedMatchRule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.cep.CEP;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.functions.TimedOutPartialMatchHandler;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The hesitation rules ({@code stall}, {@code burst}, {@code loop}) written with Flink CEP, as a
 * Flink user would write them: the baseline the benchmark compares the pipeline with. Every enabled
 * stall, burst and loop rule of a {@link RuleSet} becomes one CEP pattern on its own keyed stream,
 * translated from the rule's fields (nothing here knows the demo's rule ids); every match becomes
 * one {@link Detection} (rule, user, session, trigger time). Threshold and comeback rules are not
 * translated.
 *
 * <p>Each rule reads the events its matchers can select ({@code filter} before {@code keyBy}, which
 * a Flink user does so that the CEP operator does not buffer events no condition can take) and is
 * keyed by its SPEC scope: {@code (userId, sessionId)}, and for a burst also the {@code sameField}
 * value, since each value is a group of its own. CEP runs in event time: its operator buffers
 * events until the watermark passes them, then feeds the NFA in {@code ts} order, equal {@code ts}
 * in arrival order, which is the order SPEC section 2 asks for.
 *
 * <p>Where CEP's semantics differ from SPEC section 3 and how the translation makes them equal:
 *
 * <ul>
 *   <li><b>Window bounds.</b> CEP's {@code within(W)} drops a partial match once {@code t - first
 *       >= W}; the rules keep an event at exactly {@code within} (a burst keeps {@code ts >= t -
 *       within}, a loop {@code [t - within, t]}, and progress at the deadline still cancels a
 *       stall). So every pattern uses {@code within + 1 ms}.
 *   <li><b>stall</b> = a start not followed by a completing event in time: {@code
 *       begin(start).followedBy(end)} where {@code end} is any start or progress event, and the
 *       detection is the <i>timed-out partial match</i> ({@link TimedOutPartialMatchHandler}, a
 *       side output), at {@code start.ts + within}. A later start both completes the older match
 *       (no trigger: the wait restarted) and begins a new one, because with the default {@code
 *       noSkip} every event may also start a match; a start that also matches progress thus counts
 *       as a start. Completed matches emit nothing. CEP times a partial match out when an event or
 *       the watermark of its key passes the deadline, which is when the pipeline's deadline timer
 *       fires too.
 *   <li><b>burst</b> = {@code count} matching events of one group within the window: {@code
 *       begin(burst).times(count)} (relaxed contiguity) on the stream keyed by {@code (user,
 *       session, value)}. Every event starts a partial match and the oldest one still inside the
 *       window completes first, exactly when the group reaches {@code count}. "The group is
 *       emptied" after a trigger is {@code skipPastLastEvent}: it discards every partial match that
 *       began at or before the matching event, so the next trigger needs {@code count} new events.
 *       (All events of a key match, so the oldest open partial match is always the first to
 *       complete, and the skip strategy never holds a match back; compare the loop.)
 *   <li><b>loop</b> = the same {@code field} value {@code times} times in the window: {@code
 *       begin(first).followedBy(again).times(times - 1)} where {@code again} has the value of
 *       {@code first} (an {@link IterativeCondition}), keyed by {@code (user, session)}. Two parts
 *       cannot be written as a pattern:
 *       <ol>
 *         <li>A refresh (the same value as the session's previous matching event, inside or outside
 *             any match): conditions only see the events of their own match. Refreshes are dropped
 *             before the pattern by {@link DropRefreshes}, a keyed function that keeps the previous
 *             value and, like the CEP operator, judges events in event-time order. It numbers the
 *             events it passes on ({@link Move}).
 *         <li>"The window is emptied" after a trigger, of every value. {@code skipPastLastEvent}
 *             would say that, but with a skip strategy CEP emits matches in the order they
 *             <i>began</i>: a loop of {@code B} that completes while an older partial match of
 *             {@code A} is still open is held back, and if the {@code A} match completes later it
 *             wins and the {@code B} match is pruned. SPEC fires at the first event that completes
 *             a loop. So the pattern keeps {@code noSkip} (matches leave as they complete) and
 *             {@link EmptiedWindows} drops a match that began at or before the session's last
 *             trigger.
 *       </ol>
 *   <li><b>Session timeout.</b> The pipeline forgets a session's loop state (the previous value, so
 *       a refresh check) when the session has been idle for the session retention (the session
 *       timeout, or the longest burst or loop window if longer); its cleanup timer runs at the next
 *       full minute after that. {@link DropRefreshes} forgets the previous value the same way,
 *       measured from the session's last <i>matching</i> event instead of its last event of any
 *       kind (it sees only matching events). The two differ only for a session whose matching
 *       events are a session retention apart with other events in between. Burst groups are
 *       forgotten only after they left their window, and stall waits never, so neither depends on
 *       it.
 *   <li><b>Disabled rules</b> fire nothing in the pipeline and get no pattern here.
 * </ul>
 *
 * Late events (behind the watermark) are dropped by the CEP operator; the pipeline dead-letters
 * them. Neither the benchmark nor the equivalence check has any.
 */
public final class CepHesitationJob {
    static final char SEP = '\u001f';
    static final TypeInformation<Detection> DETECTION = Types.POJO(Detection.class);
    static final TypeInformation<Event> EVENT = TypeInformation.of(Event.class);
    static final TypeInformation<Move> MOVE = Types.POJO(Move.class);

    /**
     * The pipeline's session cleanup runs on full minutes; {@link DropRefreshes} rounds the same
     * way.
     */
    static final long CLEANUP_ROUNDING_MS = 60_000L;

    private CepHesitationJob() {}

    /**
     * The stall, burst and loop rules of {@code rules}, with its delivery settings: what the
     * baseline covers.
     */
    public static RuleSet hesitationRules(RuleSet rules) {
        List<Rule> kept = new ArrayList<>();
        for (Rule r : rules.rules) {
            if (r instanceof StallRule || r instanceof BurstRule || r instanceof LoopRule) {
                kept.add(r);
            }
        }
        return new RuleSet(rules.version, rules.delivery, kept);
    }

    /**
     * Event time from {@code ts}, watermarks {@code maxOutOfOrderness} behind the largest {@code
     * ts} seen.
     */
    public static WatermarkStrategy<Event> watermarks(Duration maxOutOfOrderness) {
        return WatermarkStrategy.<Event>forBoundedOutOfOrderness(maxOutOfOrderness)
                .withTimestampAssigner((e, ignored) -> e.ts);
    }

    /**
     * One CEP pattern per enabled stall, burst and loop rule of {@code rules} (other kinds are
     * ignored), their detections in one stream.
     *
     * @param events events with event timestamps and watermarks
     * @param sessionTimeoutMs the pipeline's session timeout: a session idle this long (or the
     *     longest burst or loop window, if longer) has its loop state forgotten
     */
    public static DataStream<Detection> build(
            DataStream<Event> events, RuleSet rules, long sessionTimeoutMs) {
        // the pipeline keeps a session at least as long as the longest burst or loop window of its
        // rules
        long sessionRetentionMs = sessionTimeoutMs;
        for (Rule r : rules.rules) {
            if (r instanceof WindowedMatchRule) {
                sessionRetentionMs = Math.max(sessionRetentionMs, ((WindowedMatchRule) r).withinMs);
            }
        }
        List<DataStream<Detection>> detections = new ArrayList<>();
        for (Rule r : rules.rules) {
            if (!r.enabled) {
                continue;
            }
            if (r instanceof StallRule) {
                detections.add(stall(events, (StallRule) r));
            } else if (r instanceof BurstRule) {
                detections.add(burst(events, (BurstRule) r));
            } else if (r instanceof LoopRule) {
                detections.add(loop(events, (LoopRule) r, sessionRetentionMs));
            }
        }
        if (detections.isEmpty()) {
            throw new IllegalArgumentException("no enabled stall, burst or loop rule");
        }
        DataStream<Detection> all = detections.get(0);
        if (detections.size() > 1) {
            @SuppressWarnings("unchecked")
            DataStream<Detection>[] rest =
                    detections.subList(1, detections.size()).toArray(new DataStream[0]);
            all = all.union(rest);
        }
        return all;
    }

    // ---------------------------------------------------------------- stall

    static Pattern<Event, Event> stallPattern(StallRule r) {
        List<Matcher> ending = new ArrayList<>(r.progress);
        ending.add(r.start);
        return Pattern.<Event>begin("start")
                .where(new Matches(List.of(r.start)))
                .followedBy("end")
                .where(new Matches(ending))
                .within(window(r.withinMs));
    }

    static DataStream<Detection> stall(DataStream<Event> events, StallRule r) {
        List<Matcher> relevant = new ArrayList<>(r.progress);
        relevant.add(r.start);
        KeyedStream<Event, String> sessions =
                events.filter(new Matches(relevant))
                        .name("cep " + r.id + " events")
                        .uid("cep-" + r.id + "-events")
                        .keyBy(new SessionKey());
        OutputTag<Detection> stalled = new OutputTag<>("stalled-" + r.id, DETECTION);
        SingleOutputStreamOperator<Detection> completed =
                CEP.pattern(sessions, stallPattern(r))
                        .inEventTime()
                        .process(new StallTimeouts(r.id, r.withinMs, stalled), DETECTION)
                        .name("cep " + r.id)
                        .uid("cep-" + r.id);
        return completed.getSideOutput(stalled);
    }

    /**
     * Completed matches (progress or a new start in time) emit nothing; a timed-out start is a
     * stall.
     */
    static final class StallTimeouts extends PatternProcessFunction<Event, Detection>
            implements TimedOutPartialMatchHandler<Event> {
        private static final long serialVersionUID = 1L;
        private final String ruleId;
        private final long withinMs;
        private final OutputTag<Detection> stalled;

        StallTimeouts(String ruleId, long withinMs, OutputTag<Detection> stalled) {
            this.ruleId = ruleId;
            this.withinMs = withinMs;
            this.stalled = stalled;
        }

        @Override
        public void processMatch(
                Map<String, List<Event>> match, Context ctx, Collector<Detection> out) {}

        @Override
        public void processTimedOutMatch(Map<String, List<Event>> match, Context ctx) {
            Event start = match.get("start").get(0);
            ctx.output(
                    stalled,
                    new Detection(ruleId, start.userId, start.sessionId, start.ts + withinMs));
        }
    }

    // ---------------------------------------------------------------- burst

    static Pattern<Event, Event> burstPattern(BurstRule r) {
        return Pattern.<Event>begin("burst", AfterMatchSkipStrategy.skipPastLastEvent())
                .where(new Matches(List.of(r.match)))
                .times(r.count)
                .within(window(r.withinMs));
    }

    static DataStream<Detection> burst(DataStream<Event> events, BurstRule r) {
        KeyedStream<Event, String> groups =
                events.filter(new InGroup(r.match, r.sameField))
                        .name("cep " + r.id + " events")
                        .uid("cep-" + r.id + "-events")
                        .keyBy(new GroupKey(r.sameField));
        return CEP.pattern(groups, burstPattern(r))
                .inEventTime()
                .process(new LastEventOf(r.id), DETECTION)
                .name("cep " + r.id)
                .uid("cep-" + r.id);
    }

    // ---------------------------------------------------------------- loop

    static Pattern<Move, Move> loopPattern(LoopRule r) {
        // noSkip: a skip strategy would hold a completed match back while an older partial match
        // (another value)
        // is still open, and then let the older one win; SPEC fires at the first event that
        // completes a loop
        Pattern<Move, Move> first = Pattern.<Move>begin("first").where(new MoveMatches(r.match));
        return first.followedBy("again")
                .where(new SameValueAs("first", r.field))
                .times(r.times - 1)
                .within(window(r.withinMs));
    }

    static DataStream<Detection> loop(
            DataStream<Event> events, LoopRule r, long sessionRetentionMs) {
        DataStream<Move> moves =
                events.filter(new InGroup(r.match, r.field))
                        .name("cep " + r.id + " events")
                        .uid("cep-" + r.id + "-events")
                        .keyBy(new SessionKey())
                        .process(new DropRefreshes(r.field, sessionRetentionMs))
                        .returns(MOVE)
                        .name("cep " + r.id + " drop refreshes")
                        .uid("cep-" + r.id + "-drop-refreshes");
        // same key, same operator parallelism: no second shuffle
        KeyedStream<Move, String> sessions =
                DataStreamUtils.reinterpretAsKeyedStream(moves, new MoveSessionKey());
        DataStream<LoopMatch> matches =
                CEP.pattern(sessions, loopPattern(r))
                        .inEventTime()
                        .process(new LoopMatches(), TypeInformation.of(LoopMatch.class))
                        .name("cep " + r.id)
                        .uid("cep-" + r.id);
        // the CEP operator emits a session's matches in the task that owns the session: still keyed
        return DataStreamUtils.reinterpretAsKeyedStream(matches, new MatchSessionKey())
                .process(new EmptiedWindows(r.id, r.withinMs))
                .returns(DETECTION)
                .name("cep " + r.id + " emptied windows")
                .uid("cep-" + r.id + "-emptied-windows");
    }

    /** Every loop match, as where it began and ended. */
    static final class LoopMatches extends PatternProcessFunction<Move, LoopMatch> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processMatch(
                Map<String, List<Move>> match, Context ctx, Collector<LoopMatch> out) {
            Move first = match.get("first").get(0);
            List<Move> again = match.get("again");
            Move last = again.get(again.size() - 1);
            out.collect(
                    new LoopMatch(
                            first.event.ts,
                            first.seq,
                            last.event.ts,
                            last.seq,
                            last.event.userId,
                            last.event.sessionId));
        }
    }

    /** Where a loop match began and ended in its session. A Flink POJO. */
    public static class LoopMatch {
        public long firstTs;
        public long firstSeq;
        public long lastTs;
        public long lastSeq;
        public String userId;
        public String sessionId;

        public LoopMatch() {}

        LoopMatch(
                long firstTs,
                long firstSeq,
                long lastTs,
                long lastSeq,
                String userId,
                String sessionId) {
            this.firstTs = firstTs;
            this.firstSeq = firstSeq;
            this.lastTs = lastTs;
            this.lastSeq = lastSeq;
            this.userId = userId;
            this.sessionId = sessionId;
        }
    }

    /**
     * A loop match is a trigger unless it began at or before the session's last trigger: "the
     * window is emptied" (with {@code noSkip}, older partial matches run on and complete later;
     * they are dropped here). The CEP operator emits matches in the order of their last event,
     * which is the order the rule fires in. (A pattern function may not keep state, hence this
     * keyed step after it.)
     */
    static final class EmptiedWindows extends KeyedProcessFunction<String, LoopMatch, Detection> {
        private static final long serialVersionUID = 1L;
        private final String ruleId;
        private final long withinMs;

        /**
         * Position (ts, then sequence) of the session's last trigger. End of life: a timer at ts +
         * within + 1, when every match that began before it has timed out.
         */
        private transient ValueState<Long> lastTriggerTs;

        private transient ValueState<Long> lastTriggerSeq;

        EmptiedWindows(String ruleId, long withinMs) {
            this.ruleId = ruleId;
            this.withinMs = withinMs;
        }

        @Override
        public void open(OpenContext ctx) {
            lastTriggerTs =
                    getRuntimeContext()
                            .getState(new ValueStateDescriptor<>("last-trigger-ts", Types.LONG));
            lastTriggerSeq =
                    getRuntimeContext()
                            .getState(new ValueStateDescriptor<>("last-trigger-seq", Types.LONG));
        }

        @Override
        public void processElement(LoopMatch m, Context ctx, Collector<Detection> out)
                throws Exception {
            Long ts = lastTriggerTs.value();
            if (ts != null
                    && (m.firstTs < ts
                            || (m.firstTs == ts && m.firstSeq <= lastTriggerSeq.value()))) {
                return; // began in a window that a trigger emptied
            }
            if (ts != null) {
                ctx.timerService().deleteEventTimeTimer(ts + withinMs + 1);
            }
            lastTriggerTs.update(m.lastTs);
            lastTriggerSeq.update(m.lastSeq);
            ctx.timerService().registerEventTimeTimer(m.lastTs + withinMs + 1);
            out.collect(new Detection(ruleId, m.userId, m.sessionId, m.lastTs));
        }

        @Override
        public void onTimer(long time, OnTimerContext ctx, Collector<Detection> out) {
            lastTriggerTs.clear();
            lastTriggerSeq.clear();
        }
    }

    /**
     * Drops refreshes: a matching event whose {@code field} value equals that of the session's
     * previous matching event. Events wait for the watermark and are judged in {@code ts} order
     * (equal {@code ts}: arrival order), as the CEP operator would order them; each leaves with its
     * own {@code ts} as timestamp and its position in the session, which the loop needs to tell
     * events before a trigger from those after it at the same {@code ts}.
     */
    static final class DropRefreshes extends KeyedProcessFunction<String, Event, Move> {
        private static final long serialVersionUID = 1L;
        private final String field;
        private final long sessionRetentionMs;

        /**
         * Events waiting for the watermark, by ts. End of life: the timer at their ts judges and
         * removes them.
         */
        private transient MapState<Long, List<Event>> waiting;

        /**
         * The previous matching event's value and ts, and the number of moves so far. End of life:
         * the cleanup timer at the first full minute a session retention after the ts clears them,
         * unless a later event moved them on.
         */
        private transient ValueState<String> previous;

        private transient ValueState<Long> previousTs;
        private transient ValueState<Long> moves;

        DropRefreshes(String field, long sessionRetentionMs) {
            this.field = field;
            this.sessionRetentionMs = sessionRetentionMs;
        }

        @Override
        public void open(OpenContext ctx) {
            waiting =
                    getRuntimeContext()
                            .getMapState(
                                    new MapStateDescriptor<>(
                                            "waiting", Types.LONG, Types.LIST(EVENT)));
            previous =
                    getRuntimeContext()
                            .getState(new ValueStateDescriptor<>("previous-value", Types.STRING));
            previousTs =
                    getRuntimeContext()
                            .getState(new ValueStateDescriptor<>("previous-ts", Types.LONG));
            moves = getRuntimeContext().getState(new ValueStateDescriptor<>("moves", Types.LONG));
        }

        @Override
        public void processElement(Event e, Context ctx, Collector<Move> out) throws Exception {
            if (e.ts <= ctx.timerService().currentWatermark()) {
                return; // late: the CEP operator would drop it as well
            }
            List<Event> atTs = waiting.get(e.ts);
            if (atTs == null) {
                atTs = new ArrayList<>(1);
                ctx.timerService().registerEventTimeTimer(e.ts);
            }
            atTs.add(e);
            waiting.put(e.ts, atTs);
        }

        @Override
        public void onTimer(long time, OnTimerContext ctx, Collector<Move> out) throws Exception {
            List<Event> due = waiting.get(time);
            String value = previous.value();
            Long valueTs = previousTs.value();
            // idle for the session retention: forgotten, as the pipeline's minute cleanup forgets
            // it; that cleanup
            // runs after the events of its own instant, so they still see the value
            if (valueTs != null
                    && (due == null ? forgottenAt(valueTs) <= time : forgottenAt(valueTs) < time)) {
                value = null;
                previous.clear();
                previousTs.clear();
                moves.clear();
            }
            if (due == null) {
                return;
            }
            waiting.remove(time);
            Long n = moves.value();
            long seq = n == null ? 0 : n;
            for (Event e : due) {
                String v = e.field(field);
                if (!v.equals(value)) {
                    out.collect(new Move(++seq, e));
                }
                value = v;
            }
            previous.update(value);
            previousTs.update(time);
            moves.update(seq);
            ctx.timerService().registerEventTimeTimer(forgottenAt(time));
        }

        private long forgottenAt(long ts) {
            long t = ts + sessionRetentionMs;
            return Math.floorDiv(t + CLEANUP_ROUNDING_MS - 1, CLEANUP_ROUNDING_MS)
                    * CLEANUP_ROUNDING_MS;
        }
    }

    /**
     * An event that is not a refresh, and its position among the session's such events. A Flink
     * POJO.
     */
    public static class Move {
        public long seq;
        public Event event;

        public Move() {}

        Move(long seq, Event event) {
            this.seq = seq;
            this.event = event;
        }
    }

    /** A move whose event matches. */
    static final class MoveMatches extends SimpleCondition<Move> {
        private static final long serialVersionUID = 1L;
        private final Matcher match;

        MoveMatches(Matcher match) {
            this.match = match;
        }

        @Override
        public boolean filter(Move m) {
            return match.matches(m.event);
        }
    }

    /**
     * A move whose event's {@code field} has the value of the first move taken by pattern {@code
     * first}.
     */
    static final class SameValueAs extends IterativeCondition<Move> {
        private static final long serialVersionUID = 1L;
        private final String first;
        private final String field;

        SameValueAs(String first, String field) {
            this.first = first;
            this.field = field;
        }

        @Override
        public boolean filter(Move m, Context<Move> ctx) throws Exception {
            Move f = ctx.getEventsForPattern(first).iterator().next();
            return m.event.field(field).equals(f.event.field(field));
        }
    }

    static final class MatchSessionKey implements KeySelector<LoopMatch, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(LoopMatch m) {
            return m.userId + SEP + m.sessionId;
        }
    }

    static final class MoveSessionKey implements KeySelector<Move, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(Move m) {
            return m.event.userId + SEP + m.event.sessionId;
        }
    }

    // ---------------------------------------------------------------- shared parts

    /**
     * {@code within} as CEP's window: CEP drops a match at {@code t - first >= W}, the rules keep
     * it at equality.
     */
    static Duration window(long withinMs) {
        return Duration.ofMillis(withinMs + 1);
    }

    /** A burst match: a detection at its last event. */
    static final class LastEventOf extends PatternProcessFunction<Event, Detection> {
        private static final long serialVersionUID = 1L;
        private final String ruleId;

        LastEventOf(String ruleId) {
            this.ruleId = ruleId;
        }

        @Override
        public void processMatch(
                Map<String, List<Event>> match, Context ctx, Collector<Detection> out) {
            List<Event> events = match.get("burst");
            Event last = events.get(events.size() - 1);
            out.collect(new Detection(ruleId, last.userId, last.sessionId, last.ts));
        }
    }

    /** Events matching any of the matchers. */
    static final class Matches extends SimpleCondition<Event> {
        private static final long serialVersionUID = 1L;
        private final List<Matcher> any;

        Matches(List<Matcher> any) {
            this.any = List.copyOf(any);
        }

        @Override
        public boolean filter(Event e) {
            for (Matcher m : any) {
                if (m.matches(e)) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * Events matching the matcher that have the grouping field (every matching event when the field
     * is null).
     */
    static final class InGroup implements FilterFunction<Event> {
        private static final long serialVersionUID = 1L;
        private final Matcher match;
        private final String field;

        InGroup(Matcher match, String field) {
            this.match = match;
            this.field = field;
        }

        @Override
        public boolean filter(Event e) {
            return match.matches(e) && (field == null || e.field(field) != null);
        }
    }

    /** SPEC scope of stall, burst and loop: (userId, sessionId). */
    static final class SessionKey implements KeySelector<Event, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(Event e) {
            return e.userId + SEP + e.sessionId;
        }
    }

    /**
     * A burst group: (userId, sessionId, value of sameField); one group per session without
     * sameField.
     */
    static final class GroupKey implements KeySelector<Event, String> {
        private static final long serialVersionUID = 1L;
        private final String sameField;

        GroupKey(String sameField) {
            this.sameField = sameField;
        }

        @Override
        public String getKey(Event e) {
            return sameField == null
                    ? e.userId + SEP + e.sessionId
                    : e.userId + SEP + e.sessionId + SEP + e.field(sameField);
        }
    }
}
