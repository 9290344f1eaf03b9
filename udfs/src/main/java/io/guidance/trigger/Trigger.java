package io.guidance.trigger;

import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * A guidance trigger as SPEC section 4 defines it. Serialized by its own {@link TriggerSerializer}
 * ({@link TriggerTypeInfo}, named below) where it crosses the shuffle after detection; still shaped
 * as a Flink POJO (public fields, no-arg constructor).
 *
 * <p>{@code reason} maps a name to the JSON text of a value (a number as digits, a string quoted),
 * so that the JSON written for front ends keeps numbers as numbers.
 */
@TypeInfo(TriggerTypeInfo.Factory.class)
public class Trigger {
    public static final String DELIVERED = "delivered";
    public static final String SUPPRESSED_PREFIX = "suppressed:";

    public String triggerId;
    public String ruleId;
    public String guide;
    public String kind;
    public String userId;

    /** Null for per-user kinds. */
    public String sessionId;

    public long ts;
    public long expiresAt;
    public int priority;
    public Map<String, String> reason;
    public String status;

    /**
     * The experiment arm of a rule with an experiment: a variant's guide id or {@code control};
     * null otherwise (SPEC section 7).
     */
    public String variant;

    public Trigger() {}

    public static String triggerId(String ruleId, String userId, String sessionId, long ts) {
        return ruleId + '|' + userId + '|' + (sessionId == null ? "-" : sessionId) + '|' + ts;
    }

    public boolean isDelivered() {
        return DELIVERED.equals(status);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof Trigger)) return false;
        Trigger t = (Trigger) o;
        return ts == t.ts
                && expiresAt == t.expiresAt
                && priority == t.priority
                && Objects.equals(triggerId, t.triggerId)
                && Objects.equals(ruleId, t.ruleId)
                && Objects.equals(guide, t.guide)
                && Objects.equals(kind, t.kind)
                && Objects.equals(userId, t.userId)
                && Objects.equals(sessionId, t.sessionId)
                && Objects.equals(reason, t.reason)
                && Objects.equals(status, t.status)
                && Objects.equals(variant, t.variant);
    }

    @Override
    public int hashCode() {
        return Objects.hash(triggerId, status);
    }

    @Override
    public String toString() {
        return "Trigger{" + triggerId + ' ' + guide + ' ' + status + " reason=" + reason + '}';
    }
}
