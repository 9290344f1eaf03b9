package io.guidance.experiment;

import io.guidance.detect.LiveRulesFunction;
import io.guidance.detect.RulesVersion;
import io.guidance.rules.PublishedRules;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RuleValidationException;
import io.guidance.rules.RulesUpdate;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.KeyedStateFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Running totals per experiment and arm, keyed by experiment, counted in Flink state from the
 * exposure and conversion records: restored with a checkpoint together with the exposures that made
 * them, so a restart counts nothing twice. Emits the totals of the experiment's newest salt (a new
 * salt is a new experiment) at most once a second, as absolute values, and shows them as metrics
 * {@code experiment.<name>.arm.<arm>.exposed|converted}.
 *
 * <p>The published totals carry each arm's share and the control arm under the rules in force, so
 * that a reader can compare the arms' exposures with their shares. The rules come on the same
 * broadcast stream as the detection's, and are kept the same way (broadcast state {@link
 * LiveRulesFunction#LIVE_RULES}, only ever a newer version; a rule set the detection rejects is
 * passed over here without a word, since the detection reports it). A new rule set republishes
 * every experiment at once, so shares follow a change even while no exposure comes.
 */
public class ExperimentTotalsFunction
        extends KeyedBroadcastProcessFunction<
                String, ExperimentRecord, RulesUpdate, ExperimentTotals> {
    private static final long serialVersionUID = 1L;

    private final RuleSet initialRules;
    private final long initialVersion;

    private transient RuleSet rules;
    private transient RulesVersion version;

    /**
     * @param initialRules in force until the broadcast state holds a newer version
     * @param initialVersion their version (0 for the rules file)
     */
    public ExperimentTotalsFunction(RuleSet initialRules, long initialVersion) {
        this.initialRules = initialRules;
        this.initialVersion = initialVersion;
    }

    /** Totals are published at most this often (processing time). */
    static final long PUBLISH_EVERY_MS = 1_000L;

    /**
     * salt -> totals, per experiment. End of life: as long as the job; an experiment is a handful
     * of numbers per arm and salt.
     */
    private transient MapState<String, ExperimentTotals> totals;

    /** Its descriptor, one per instance: a descriptor's serializer is not shared by tasks. */
    private transient MapStateDescriptor<String, ExperimentTotals> totalsDescriptor;

    /** The latest published totals per experiment, for the metrics. */
    private transient Map<String, ExperimentTotals> shown;

    private transient MetricGroup metrics;

    /** (experiment, arm) pairs whose gauges are registered. */
    private transient Set<String> withMetrics;

    @Override
    public void open(OpenContext openContext) {
        totalsDescriptor =
                new MapStateDescriptor<>(
                        ExperimentStateNames.TOTALS,
                        Types.STRING,
                        Types.POJO(ExperimentTotals.class));
        totals = getRuntimeContext().getMapState(totalsDescriptor);
        rules = initialRules;
        version = new RulesVersion(initialVersion);
        shown = new HashMap<>();
        withMetrics = new HashSet<>();
        metrics = getRuntimeContext().getMetricGroup();
    }

    @Override
    public void processElement(
            ExperimentRecord r, ReadOnlyContext ctx, Collector<ExperimentTotals> out)
            throws Exception {
        ExperimentTotals t = totals.get(r.salt);
        if (t == null) {
            t = new ExperimentTotals(r.experiment, r.salt, r.exposedAt);
        }
        t.count(r);
        totals.put(r.salt, t);
        long now = ctx.timerService().currentProcessingTime();
        // one timer per second and experiment: a timer registered twice for one time fires once
        ctx.timerService()
                .registerProcessingTimeTimer((now / PUBLISH_EVERY_MS + 1) * PUBLISH_EVERY_MS);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<ExperimentTotals> out)
            throws Exception {
        catchUp(ctx.getBroadcastState(LiveRulesFunction.LIVE_RULES));
        publish(totals, out);
    }

    /** Publishes the totals of an experiment's newest salt, if any. */
    private void publish(MapState<String, ExperimentTotals> bySalt, Collector<ExperimentTotals> out)
            throws Exception {
        ExperimentTotals newest = null;
        for (ExperimentTotals t : bySalt.values()) {
            if (newest == null || t.firstSeen > newest.firstSeen) {
                newest = t;
            }
        }
        if (newest != null) {
            ExperimentTotals published = newest.publishedUnder(configOf(newest.experiment));
            out.collect(published);
            show(published);
        }
    }

    private Experiment configOf(String experiment) {
        return Experiment.PROGRAM.equals(experiment)
                ? rules.program
                : rules.experimentOf(experiment);
    }

    @Override
    public void processBroadcastElement(
            RulesUpdate update, Context ctx, Collector<ExperimentTotals> out) throws Exception {
        BroadcastState<String, String> state = ctx.getBroadcastState(LiveRulesFunction.LIVE_RULES);
        catchUp(state);
        PublishedRules published;
        RuleSet parsed;
        try {
            published = PublishedRules.fromJson(update.raw);
            parsed = published.parseRules();
        } catch (IllegalArgumentException | RuleValidationException e) {
            return; // the detection dead-letters it and keeps its rules; so do the shares
        }
        if (!version.isNewer(published.version)) {
            return;
        }
        state.put("version", Long.toString(published.version));
        state.put("rules", published.yaml);
        rules = parsed;
        version.applied(published.version);
        ctx.applyToKeyedState(
                totalsDescriptor,
                (KeyedStateFunction<String, MapState<String, ExperimentTotals>>)
                        (experiment, bySalt) -> publish(bySalt, out));
    }

    /** After a restore, switch to the rules version kept in broadcast state if it is newer. */
    private void catchUp(ReadOnlyBroadcastState<String, String> state) throws Exception {
        RuleSet newer = version.newerIn(state);
        if (newer != null) {
            rules = newer;
        }
    }

    private void show(ExperimentTotals t) {
        shown.put(t.experiment, t);
        String name = t.experiment;
        for (String arm : t.arms) {
            if (!withMetrics.add(name + '\u0000' + arm)) {
                continue;
            }
            MetricGroup g = metrics.addGroup("experiment", name).addGroup("arm", arm);
            g.gauge("exposed", () -> shown.get(name).exposedOf(arm));
            g.gauge("converted", () -> shown.get(name).convertedOf(arm));
        }
    }
}
