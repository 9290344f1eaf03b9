package io.guidance.detect;

import io.guidance.event.DeadLetter;
import io.guidance.event.Event;
import io.guidance.event.OutputTags;
import io.guidance.rules.PublishedRules;
import io.guidance.rules.Rule;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RuleValidationException;
import io.guidance.rules.RulesUpdate;
import io.guidance.trigger.Trigger;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link DetectionEngine} with rules that change while the job runs: events keyed by user on
 * one input, rule sets from the rules topic broadcast to every task on the other.
 *
 * <p>A new rule set applies from the moment it arrives, to the state already collected: a changed
 * target or window reads the counts already there; a new rule starts empty; a removed rule's state
 * is released for every key; a rule with {@code enabled: false} keeps its state and fires nothing.
 * A rule set that fails validation, or whose version is not newer than the one in force, changes
 * nothing: a bad one goes to the dead letters (reason {@code bad_rules}), once, from the first
 * task. Every task sees the same broadcast records in the same order, so every task applies the
 * same rules.
 *
 * <p>Broadcast state holds only the rules in force (their text and version), so it stays small and
 * is restored with a checkpoint: after a restart the job resumes with the rules it had.
 */
public class LiveRulesFunction
        extends KeyedBroadcastProcessFunction<String, Event, RulesUpdate, Trigger> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(LiveRulesFunction.class);

    /**
     * The rules in force: {@code version}, {@code rules} (the file's text), {@code publishedBy},
     * {@code publishedAt}.
     */
    public static final MapStateDescriptor<String, String> LIVE_RULES =
            new MapStateDescriptor<>(StateNames.LIVE_RULES, Types.STRING, Types.STRING);

    private final DetectionEngine engine;
    private final long initialVersion;

    private transient RulesVersion version;

    private transient BroadcastScope scope;
    private transient Counter rulesApplied;
    private transient Counter rulesRejected;

    /**
     * {@code initialRules} apply until the broadcast state holds a newer version; version 0 is the
     * rules file.
     */
    public LiveRulesFunction(
            RuleSet initialRules, long initialVersion, DetectionSettings settings) {
        this.engine = new DetectionEngine(initialRules, settings);
        this.initialVersion = initialVersion;
    }

    @Override
    public void open(OpenContext openContext) {
        engine.open(getRuntimeContext());
        version = new RulesVersion(initialVersion);
        scope = new BroadcastScope();
        var metrics = getRuntimeContext().getMetricGroup().addGroup("rules");
        rulesApplied = metrics.counter("applied");
        rulesRejected = metrics.counter("rejected");
        metrics.gauge("version", () -> version.current());
    }

    @Override
    public void processElement(Event e, ReadOnlyContext ctx, Collector<Trigger> out)
            throws Exception {
        catchUp(ctx.getBroadcastState(LIVE_RULES));
        scope.ctx = ctx;
        engine.onEvent(e, scope);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<Trigger> out) throws Exception {
        catchUp(ctx.getBroadcastState(LIVE_RULES));
        scope.ctx = ctx;
        engine.onTimer(time, scope, out);
    }

    @Override
    public void processBroadcastElement(RulesUpdate update, Context ctx, Collector<Trigger> out)
            throws Exception {
        BroadcastState<String, String> state = ctx.getBroadcastState(LIVE_RULES);
        catchUp(state);
        PublishedRules published;
        RuleSet rules;
        try {
            published = PublishedRules.fromJson(update.raw);
            rules = published.parseRules();
        } catch (IllegalArgumentException | RuleValidationException e) {
            rulesRejected.inc();
            // every task rejects the same record; one of them reports it, so that one record is one
            // dead letter
            if (getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
                ctx.output(
                        OutputTags.DEAD_LETTERS,
                        new DeadLetter(
                                DeadLetter.BAD_RULES,
                                e.getMessage(),
                                update.raw,
                                update.topic,
                                update.partition,
                                update.offset));
            }
            LOG.warn(
                    "Rejected a rule set from {}/{}@{}; keeping version {}",
                    update.topic,
                    update.partition,
                    update.offset,
                    version.current());
            return;
        }
        if (!version.isNewer(published.version)) {
            return; // already in force, or older: the topic is read from its start at every fresh
            // start
        }
        Set<String> removed = new HashSet<>();
        for (Rule r : engine.rules().rules) {
            if (rules.rule(r.id) == null) {
                removed.add(r.id);
            }
        }
        for (String ruleId : removed) {
            engine.releaseRule(ruleId, ctx::applyToKeyedState);
        }
        state.put("version", Long.toString(published.version));
        state.put("rules", published.yaml);
        state.put("publishedBy", published.publishedBy);
        state.put("publishedAt", Long.toString(published.publishedAt));
        engine.setRules(rules);
        version.applied(published.version);
        rulesApplied.inc();
        LOG.info(
                "Applied rules {}: {} rules, {} removed",
                published,
                rules.rules.size(),
                removed.size());
    }

    /**
     * After a restore, or on a task that has not applied the broadcast version yet, switch to it.
     */
    private void catchUp(ReadOnlyBroadcastState<String, String> state) throws Exception {
        RuleSet newer = version.newerIn(state);
        if (newer != null) {
            engine.setRules(newer);
        }
    }

    /**
     * The engine's view of this function's contexts; one instance, pointed at the current context
     * on each call.
     */
    private static final class BroadcastScope implements DetectionEngine.Scope {
        KeyedBroadcastProcessFunction<String, Event, RulesUpdate, Trigger>.ReadOnlyContext ctx;

        @Override
        public String getCurrentKey() {
            return ctx.getCurrentKey();
        }

        @Override
        public TimerService timerService() {
            return ctx.timerService();
        }

        @Override
        public <X> void output(OutputTag<X> tag, X value) {
            ctx.output(tag, value);
        }
    }
}
