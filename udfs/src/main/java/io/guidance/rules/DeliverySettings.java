package io.guidance.rules;

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

    public final long ttlMs;
    public final long minGapMs;
    public final int maxPerDay;
    public final long cooldownMs;

    public DeliverySettings(long ttlMs, long minGapMs, int maxPerDay, long cooldownMs) {
        this.ttlMs = ttlMs;
        this.minGapMs = minGapMs;
        this.maxPerDay = maxPerDay;
        this.cooldownMs = cooldownMs;
    }

    public static DeliverySettings defaults() {
        return new DeliverySettings(
                DEFAULT_TTL, DEFAULT_MIN_GAP, DEFAULT_MAX_PER_DAY, DEFAULT_COOLDOWN);
    }
}
