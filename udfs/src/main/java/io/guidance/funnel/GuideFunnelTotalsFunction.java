package io.guidance.funnel;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Running totals of the guide funnel, keyed by rule, counted in Flink state from the join's steps:
 * restored with a checkpoint together with the join's entries, so a restart counts nothing twice.
 * Emits a rule's totals at most once a second (processing time), as absolute values, and shows them
 * as metrics {@code funnel.<rule>.guide.<guide>.<measure>} (a status's {@code :} written {@code
 * _}). End of life: as long as the job; a rule's totals are a handful of numbers per guide.
 */
public class GuideFunnelTotalsFunction
        extends KeyedProcessFunction<String, FunnelStep, GuideFunnelTotals> {
    private static final long serialVersionUID = 1L;

    /** Totals are published at most this often (processing time). */
    static final long PUBLISH_EVERY_MS = 1_000L;

    private transient ValueState<GuideFunnelTotals> totals;

    /** The latest published totals per rule, for the metrics. */
    private transient Map<String, GuideFunnelTotals> shown;

    private transient MetricGroup metrics;

    /** (rule, guide, measure) triples whose gauges are registered. */
    private transient Set<String> withMetrics;

    @Override
    public void open(OpenContext openContext) {
        totals =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        FunnelStateNames.TOTALS,
                                        Types.POJO(GuideFunnelTotals.class)));
        shown = new HashMap<>();
        withMetrics = new HashSet<>();
        metrics = getRuntimeContext().getMetricGroup();
    }

    @Override
    public void processElement(FunnelStep s, Context ctx, Collector<GuideFunnelTotals> out)
            throws Exception {
        GuideFunnelTotals t = totals.value();
        if (t == null) {
            t = new GuideFunnelTotals(s.ruleId);
        }
        t.count(s);
        totals.update(t);
        long now = ctx.timerService().currentProcessingTime();
        // one timer per second and rule: a timer registered twice for one time fires once
        ctx.timerService()
                .registerProcessingTimeTimer((now / PUBLISH_EVERY_MS + 1) * PUBLISH_EVERY_MS);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<GuideFunnelTotals> out)
            throws Exception {
        GuideFunnelTotals t = totals.value();
        if (t != null) {
            GuideFunnelTotals copy = t.copy();
            out.collect(copy);
            show(copy);
        }
    }

    private void show(GuideFunnelTotals t) {
        shown.put(t.ruleId, t);
        String rule = t.ruleId;
        for (String field : t.fields) {
            if (!withMetrics.add(rule + '\u0000' + field)) {
                continue;
            }
            int slash = field.indexOf('/');
            String guide = field.substring(0, slash);
            String measure = field.substring(slash + 1);
            metrics.addGroup("funnel", rule)
                    .addGroup("guide", guide)
                    .gauge(
                            measure.replace(':', '_'),
                            () -> shown.get(rule).countOf(guide, measure));
        }
    }
}
