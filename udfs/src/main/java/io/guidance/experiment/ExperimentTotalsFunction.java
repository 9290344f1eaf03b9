package io.guidance.experiment;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Running totals per experiment and arm, keyed by experiment, counted in Flink state from the
 * exposure and conversion records: restored with a checkpoint together with the exposures that made
 * them, so a restart counts nothing twice. Emits the totals of the experiment's newest salt (a new
 * salt is a new experiment) at most once a second, as absolute values, and shows them as metrics
 * {@code experiment.<name>.arm.<arm>.exposed|converted}.
 */
public class ExperimentTotalsFunction
        extends KeyedProcessFunction<String, ExperimentRecord, ExperimentTotals> {
    private static final long serialVersionUID = 1L;

    /** Totals are published at most this often (processing time). */
    static final long PUBLISH_EVERY_MS = 1_000L;

    /**
     * salt -> totals, per experiment. End of life: as long as the job; an experiment is a handful
     * of numbers per arm and salt.
     */
    private transient MapState<String, ExperimentTotals> totals;

    /** The latest published totals per experiment, for the metrics. */
    private transient Map<String, ExperimentTotals> shown;

    private transient MetricGroup metrics;

    /** (experiment, arm) pairs whose gauges are registered. */
    private transient Set<String> withMetrics;

    @Override
    public void open(OpenContext openContext) {
        totals =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        ExperimentStateNames.TOTALS,
                                        Types.STRING,
                                        Types.POJO(ExperimentTotals.class)));
        shown = new HashMap<>();
        withMetrics = new HashSet<>();
        metrics = getRuntimeContext().getMetricGroup();
    }

    @Override
    public void processElement(ExperimentRecord r, Context ctx, Collector<ExperimentTotals> out)
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
        ExperimentTotals newest = null;
        for (ExperimentTotals t : totals.values()) {
            if (newest == null || t.firstSeen > newest.firstSeen) {
                newest = t;
            }
        }
        if (newest != null) {
            out.collect(newest);
            show(newest);
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
