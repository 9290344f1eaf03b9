package io.guidance.funnel;

import io.guidance.event.Event;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Picks the feedback events that name a trigger id out of the input stream. Every other event costs
 * one comparison of its type's first characters, so this step stays off the hot path.
 */
public class FeedbackEvents implements FlatMapFunction<Event, Feedback> {
    private static final long serialVersionUID = 1L;

    @Override
    public void flatMap(Event e, Collector<Feedback> out) {
        Feedback f = of(e);
        if (f != null) {
            out.collect(f);
        }
    }

    /** The feedback an event carries, or null for any other event or one without a trigger id. */
    public static Feedback of(Event e) {
        if (e.type == null || !e.type.startsWith("guide_") || e.props == null) {
            return null;
        }
        int measure = FunnelMeasures.FEEDBACK_TYPES.indexOf(e.type);
        if (measure < 0) {
            return null;
        }
        String triggerId = e.props.get("triggerId");
        return triggerId == null || triggerId.isEmpty() ? null : new Feedback(triggerId, measure);
    }
}
