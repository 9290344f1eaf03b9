package io.guidance.rules;

import java.util.List;
import java.util.Set;

/**
 * What {@code burst} and {@code loop} share: a matcher that selects events and a window of {@code
 * within}, evaluated per (userId, sessionId), indexed by the event types the matcher names.
 */
public abstract class WindowedMatchRule extends Rule {
    private static final long serialVersionUID = 1L;

    public final Matcher match;
    public final long withinMs;

    protected WindowedMatchRule(
            String id,
            String guide,
            int priority,
            long cooldownMs,
            boolean enabled,
            Matcher match,
            long withinMs) {
        super(id, guide, priority, cooldownMs, enabled);
        this.match = match;
        this.withinMs = withinMs;
    }

    @Override
    public final boolean perSession() {
        return true;
    }

    @Override
    public final Set<String> eventTypes() {
        return match.eventTypes();
    }

    @Override
    public final List<Matcher> matchers() {
        return List.of(match);
    }
}
