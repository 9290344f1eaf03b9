package io.guidance.web;

import io.guidance.trigger.Trigger;
import java.util.Map;

/** Triggers as the job writes them to Redis (SPEC section 4), for the service's tests. */
final class TestTriggers {
    private TestTriggers() {}

    /** A delivered checkout-stall trigger that fired a second ago, live for ten minutes. */
    static Trigger checkoutStall(String userId) {
        return checkoutStall(userId, System.currentTimeMillis() - 1_000);
    }

    /** A delivered checkout-stall trigger that fired at {@code ts}, live for ten minutes. */
    static Trigger checkoutStall(String userId, long ts) {
        Trigger t = new Trigger();
        t.ts = ts;
        t.ruleId = "checkout-stall";
        t.guide = "checkout-help";
        t.kind = "stall";
        t.userId = userId;
        t.sessionId = "s1";
        t.triggerId = "checkout-stall|" + userId + "|s1|" + t.ts;
        t.expiresAt = t.ts + 600_000;
        t.reason = Map.of("within", "8000");
        t.status = Trigger.DELIVERED;
        return t;
    }
}
