package io.guidance.rules;

import java.util.List;
import java.util.Set;

/**
 * {@code threshold}: the retention "magic number". Counts {@code action} events per user in a
 * window, either {@code sinceFirstSeen} (ts in [firstSeen, firstSeen + D), open while t &lt;
 * firstSeen + D) or {@code rolling} (ts in (t - W, t], always open). Reaching {@code target} fires
 * {@code reachedGuide}; a count in [{@code nudgeFrom}, target) fires {@code guide}, after a counted
 * action or on the first event of a new session.
 */
public final class ThresholdRule extends Rule {
    private static final long serialVersionUID = 1L;
    public static final String KIND = "threshold";

    public final Matcher action;
    public final int target;

    /** True for {@code sinceFirstSeen}, false for {@code rolling}. */
    public final boolean sinceFirstSeen;

    public final long windowMs;

    /** -1 when absent: no nudges. */
    public final int nudgeFrom;

    /** Null when absent: reaching the target fires nothing. */
    public final String reachedGuide;

    public ThresholdRule(
            String id,
            String guide,
            int priority,
            long cooldownMs,
            boolean enabled,
            Matcher action,
            int target,
            boolean sinceFirstSeen,
            long windowMs,
            int nudgeFrom,
            String reachedGuide) {
        super(id, guide, priority, cooldownMs, enabled);
        this.action = action;
        this.target = target;
        this.sinceFirstSeen = sinceFirstSeen;
        this.windowMs = windowMs;
        this.nudgeFrom = nudgeFrom;
        this.reachedGuide = reachedGuide;
    }

    public boolean inNudgeBand(int count) {
        return nudgeFrom >= 0 && count >= nudgeFrom && count < target;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public boolean perSession() {
        return false;
    }

    @Override
    public Set<String> eventTypes() {
        return action.eventTypes();
    }

    @Override
    public List<Matcher> matchers() {
        return List.of(action);
    }
}
