package io.guidance.rules;

import java.util.List;
import java.util.Set;

/**
 * {@code comeback}: the first event of a user whose previous event is at least {@code gap} earlier.
 * Per user.
 */
public final class ComebackRule extends Rule {
    private static final long serialVersionUID = 1L;
    public static final String KIND = "comeback";

    public final long gapMs;

    public ComebackRule(
            String id, String guide, int priority, long cooldownMs, boolean enabled, long gapMs) {
        super(id, guide, priority, cooldownMs, enabled);
        this.gapMs = gapMs;
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public boolean perSession() {
        return false;
    }

    /** Any event can be a comeback. */
    @Override
    public Set<String> eventTypes() {
        return null;
    }

    /** Any event can be a comeback. */
    @Override
    public List<Matcher> matchers() {
        return null;
    }
}
