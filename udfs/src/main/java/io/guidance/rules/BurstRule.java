package io.guidance.rules;

/**
 * {@code burst}: matching events are grouped by the value of {@code sameField} (one group when
 * absent; an event without the field is ignored). Each new event drops from its group the events
 * with ts &lt; t - within; when the group then holds {@code count} events, a trigger fires at t and
 * the group is emptied. Rage clicks, repeated form errors.
 */
public final class BurstRule extends WindowedMatchRule {
    private static final long serialVersionUID = 1L;
    public static final String KIND = "burst";

    /** Null: all matching events form one group. */
    public final String sameField;

    public final int count;

    public BurstRule(
            String id,
            String guide,
            int priority,
            long cooldownMs,
            boolean enabled,
            Matcher match,
            String sameField,
            int count,
            long withinMs) {
        super(id, guide, priority, cooldownMs, enabled, match, withinMs);
        this.sameField = sameField;
        this.count = count;
    }

    @Override
    public String kind() {
        return KIND;
    }
}
