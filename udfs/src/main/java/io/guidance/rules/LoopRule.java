package io.guidance.rules;

import java.util.Set;

/**
 * {@code loop}: back and forth between pages or items. A matching event whose {@code field} value equals that of the
 * previous matching event is a refresh and is ignored. Others enter a window of [t - within, t]; when the current
 * value then occurs {@code times} times in it, a trigger fires at t and the window is emptied. Per (userId, sessionId).
 */
public final class LoopRule extends Rule {
    private static final long serialVersionUID = 1L;
    public static final String KIND = "loop";

    public final Matcher match;
    public final String field;
    public final int times;
    public final long withinMs;

    public LoopRule(String id, String guide, int priority, long cooldownMs, boolean enabled,
                    Matcher match, String field, int times, long withinMs) {
        super(id, guide, priority, cooldownMs, enabled);
        this.match = match;
        this.field = field;
        this.times = times;
        this.withinMs = withinMs;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public boolean perSession() {
        return true;
    }

    @Override
    public Set<String> eventTypes() {
        return match.eventTypes();
    }
}
