package io.guidance.funnel;

import io.guidance.detect.DetectionSettings;
import io.guidance.trigger.Trigger;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The guide funnel's join, keyed by trigger id: triggers of every status on one input, feedback
 * events naming a trigger id on the other. Emits each (rule, guide, measure) step of a trigger id
 * once (SPEC section 7: each counted once per trigger id; the rule and guide are the trigger's):
 * its status when the trigger arrives, and each feedback measure the first time it is seen, or when
 * the trigger arrives for feedback that came before it. Feedback naming an id whose trigger never
 * comes is never counted.
 *
 * <p>End of life: an entry is dropped by an event-time timer {@code events.feedbackGrace} (default
 * {@link #FEEDBACK_GRACE_MS}) after the trigger's {@code expiresAt}, or, while its trigger has not
 * arrived, after the newest feedback naming it. A front end shows a trigger only until it expires
 * (its Redis key ends then), so feedback comes before {@code expiresAt}, plus the time a user takes
 * to click or complete a guide already on screen, plus the delay of a front end's batches: an hour
 * covers that with room to spare, and keeps the state at about one small entry per trigger of the
 * last ttl plus an hour. Feedback arriving after its trigger's end of life finds no trigger and is
 * not counted. A trigger reaches this join before the watermark passes its {@code ts}, so an hour
 * after the feedback is also long enough to wait for a trigger that is late to arrive.
 */
public class GuideFunnelJoin extends KeyedCoProcessFunction<String, Trigger, Feedback, FunnelStep> {
    private static final long serialVersionUID = 1L;

    /**
     * How long after a trigger's expiry (or an unmatched feedback event) its entry is kept, by
     * default ({@code events.feedbackGrace}).
     */
    public static final long FEEDBACK_GRACE_MS = DetectionSettings.DEFAULT_FEEDBACK_GRACE;

    private final long feedbackGraceMs;

    private transient ValueState<FunnelEntry> entry;

    public GuideFunnelJoin() {
        this(FEEDBACK_GRACE_MS);
    }

    public GuideFunnelJoin(long feedbackGraceMs) {
        this.feedbackGraceMs = feedbackGraceMs;
    }

    @Override
    public void open(OpenContext openContext) {
        entry =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        FunnelStateNames.ENTRY, Types.POJO(FunnelEntry.class)));
    }

    @Override
    public void processElement1(Trigger t, Context ctx, Collector<FunnelStep> out)
            throws Exception {
        FunnelEntry e = entry.value();
        if (e == null) {
            e = new FunnelEntry();
        } else if (e.hasTrigger()) {
            return; // a trigger id is one trigger: counted once
        }
        e.ruleId = t.ruleId;
        e.guide = t.guide;
        out.collect(new FunnelStep(t.ruleId, t.guide, t.status));
        for (int m = 0; m < FunnelMeasures.FEEDBACK.size(); m++) {
            if ((e.seen & (1 << m)) != 0) {
                out.collect(new FunnelStep(t.ruleId, t.guide, FunnelMeasures.FEEDBACK.get(m)));
            }
        }
        e.endOfLife = Math.max(e.endOfLife, t.expiresAt + feedbackGraceMs);
        entry.update(e);
        ctx.timerService().registerEventTimeTimer(e.endOfLife);
    }

    @Override
    public void processElement2(Feedback f, Context ctx, Collector<FunnelStep> out)
            throws Exception {
        FunnelEntry e = entry.value();
        int bit = 1 << f.measure;
        if (e == null) {
            e = new FunnelEntry();
        } else if ((e.seen & bit) != 0) {
            return; // once per trigger id
        }
        e.seen |= bit;
        if (e.hasTrigger()) {
            out.collect(new FunnelStep(e.ruleId, e.guide, FunnelMeasures.FEEDBACK.get(f.measure)));
        } else {
            Long ts = ctx.timestamp();
            long waitUntil = (ts == null ? 0L : ts) + feedbackGraceMs;
            if (waitUntil > e.endOfLife) {
                e.endOfLife = waitUntil;
                ctx.timerService().registerEventTimeTimer(waitUntil);
            }
        }
        entry.update(e);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<FunnelStep> out) throws Exception {
        FunnelEntry e = entry.value();
        // an entry's end of life may have moved on since this timer was set
        if (e != null && time >= e.endOfLife) {
            entry.clear();
        }
    }
}
