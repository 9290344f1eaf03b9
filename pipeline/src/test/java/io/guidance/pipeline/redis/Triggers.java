package io.guidance.pipeline.redis;

import io.guidance.trigger.Trigger;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small trigger builders for the sink tests. */
final class Triggers {
    /** SPEC section 3's default {@code delivery.ttl}. */
    static final Duration TTL = Duration.ofMinutes(10);

    private Triggers() {}

    /**
     * A delivered stall trigger of rule {@code ruleId} for {@code userId}, firing at {@code ts},
     * expiring after TTL.
     */
    static Trigger delivered(String ruleId, String userId, long ts) {
        Trigger t = new Trigger();
        t.ruleId = ruleId;
        t.guide = ruleId + "-guide";
        t.kind = "stall";
        t.userId = userId;
        t.sessionId = "session-" + userId;
        t.ts = ts;
        t.expiresAt = ts + TTL.toMillis();
        t.priority = 0;
        Map<String, String> reason = new LinkedHashMap<>();
        reason.put("within", "8000");
        t.reason = reason;
        t.status = Trigger.DELIVERED;
        t.triggerId = Trigger.triggerId(t.ruleId, t.userId, t.sessionId, t.ts);
        return t;
    }

    static Trigger expiringAt(Trigger t, long expiresAt) {
        t.expiresAt = expiresAt;
        return t;
    }

    static Trigger suppressed(String ruleId, String userId, long ts, String reason) {
        Trigger t = delivered(ruleId, userId, ts);
        t.status = Trigger.SUPPRESSED_PREFIX + reason;
        return t;
    }
}
