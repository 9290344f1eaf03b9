package io.guidance.rules;

/**
 * {@code loop}: back and forth between pages or items. A matching event whose {@code field} value
 * equals that of the previous matching event is a refresh and is ignored. Others enter a window of
 * [t - within, t]; when the current value then occurs {@code times} times in it, a trigger fires at
 * t and the window is emptied.
 */
public final class LoopRule extends WindowedMatchRule {
    private static final long serialVersionUID = 1L;
    public static final String KIND = "loop";

    public final String field;
    public final int times;

    public LoopRule(
            String id,
            String guide,
            int priority,
            long cooldownMs,
            boolean enabled,
            Matcher match,
            String field,
            int times,
            long withinMs) {
        super(id, guide, priority, cooldownMs, enabled, match, withinMs);
        this.field = field;
        this.times = times;
    }

    @Override
    public String kind() {
        return KIND;
    }
}
