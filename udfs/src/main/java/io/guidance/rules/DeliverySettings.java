package io.guidance.rules;

import io.guidance.experiment.Experiment;
import java.io.Serializable;

/**
 * The {@code delivery} block of the rules file: defaults of the delivery policy (SPEC section 4).
 */
public final class DeliverySettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final long DEFAULT_TTL = 10 * 60_000L;
    public static final long DEFAULT_MIN_GAP = 2 * 60_000L;
    public static final int DEFAULT_MAX_PER_DAY = 5;
    public static final long DEFAULT_COOLDOWN = 86_400_000L;
    public static final long DEFAULT_GOAL_WINDOW = 7 * 86_400_000L;

    public final long ttlMs;
    public final long minGapMs;
    public final int maxPerDay;
    public final long cooldownMs;

    /** Percent of users (0-50) in the program holdout, who never get any guide (SPEC section 7). */
    public final int holdout;

    /** The program's conversion; null when absent (required when {@link #holdout} > 0). */
    public final Matcher goal;

    /** A program conversion counts within this after exposure. */
    public final long goalWindowMs;

    public DeliverySettings(long ttlMs, long minGapMs, int maxPerDay, long cooldownMs) {
        this(ttlMs, minGapMs, maxPerDay, cooldownMs, 0, null, DEFAULT_GOAL_WINDOW);
    }

    public DeliverySettings(
            long ttlMs,
            long minGapMs,
            int maxPerDay,
            long cooldownMs,
            int holdout,
            Matcher goal,
            long goalWindowMs) {
        this.ttlMs = ttlMs;
        this.minGapMs = minGapMs;
        this.maxPerDay = maxPerDay;
        this.cooldownMs = cooldownMs;
        this.holdout = holdout;
        this.goal = goal;
        this.goalWindowMs = goalWindowMs;
    }

    /** The program holdout as an experiment, or null when {@code holdout} is 0. */
    public Experiment program() {
        return holdout > 0 ? Experiment.program(holdout, goal, goalWindowMs) : null;
    }

    public static DeliverySettings defaults() {
        return new DeliverySettings(
                DEFAULT_TTL, DEFAULT_MIN_GAP, DEFAULT_MAX_PER_DAY, DEFAULT_COOLDOWN);
    }
}
