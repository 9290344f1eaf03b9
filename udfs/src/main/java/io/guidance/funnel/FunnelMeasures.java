package io.guidance.funnel;

import io.guidance.deliver.DeliveryPolicy;
import io.guidance.trigger.Trigger;
import java.util.List;

/**
 * The measures of the guide funnel (SPEC section 7, last paragraph) and the event types behind
 * them.
 */
public final class FunnelMeasures {
    /** The feedback event types, in the order of their bits in the join's state. */
    public static final List<String> FEEDBACK_TYPES =
            List.of("guide_shown", "guide_clicked", "guide_dismissed", "guide_completed");

    /** The funnel's names of the feedback measures, in the same order. */
    public static final List<String> FEEDBACK =
            List.of("shown", "clicked", "dismissed", "completed");

    /** Every status the job gives a trigger (SPEC sections 4 and 7), in the policy's order. */
    public static final List<String> STATUSES =
            List.of(
                    Trigger.DELIVERED,
                    Trigger.SUPPRESSED_PREFIX + DeliveryPolicy.DISMISSED,
                    Trigger.SUPPRESSED_PREFIX + DeliveryPolicy.COOLDOWN,
                    Trigger.SUPPRESSED_PREFIX + DeliveryPolicy.MIN_GAP,
                    Trigger.SUPPRESSED_PREFIX + DeliveryPolicy.DAILY_CAP,
                    Trigger.SUPPRESSED_PREFIX + DeliveryPolicy.HOLDOUT,
                    Trigger.SUPPRESSED_PREFIX + DeliveryPolicy.CONTROL);

    private FunnelMeasures() {}
}
