package io.guidance.rules;

import java.io.Serializable;
import java.util.List;
import java.util.Set;

/** What every rule kind shares: identity, the guide it asks for, and its delivery overrides. */
public abstract class Rule implements Serializable {
    private static final long serialVersionUID = 1L;

    public final String id;
    public final String guide;
    public final int priority;

    /** The rule's own cooldown, or -1 to use the delivery default. */
    public final long cooldownMs;

    /** A disabled rule keeps its state but fires nothing. */
    public final boolean enabled;

    protected Rule(String id, String guide, int priority, long cooldownMs, boolean enabled) {
        this.id = id;
        this.guide = guide;
        this.priority = priority;
        this.cooldownMs = cooldownMs;
        this.enabled = enabled;
    }

    /** The {@code kind} word of the rules file. */
    public abstract String kind();

    /** True when the rule is evaluated per (userId, sessionId); false when per userId. */
    public abstract boolean perSession();

    /**
     * The event types that can make this rule act, or null when any type can. Rules are indexed by
     * it, so the cost of an event does not grow with rules that cannot match it.
     */
    public abstract Set<String> eventTypes();

    /**
     * The matchers of which at least one must match an event for the rule to act on it beyond its
     * reach, or null when any event can make it act. Rules are indexed by them, so the cost of an
     * event does not grow with rules written for other pages, targets or properties.
     */
    public abstract List<Matcher> matchers();
}
