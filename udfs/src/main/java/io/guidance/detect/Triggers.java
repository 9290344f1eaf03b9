package io.guidance.detect;

import io.guidance.experiment.Experiment;
import io.guidance.rules.Rule;
import io.guidance.rules.RuleSet;
import io.guidance.trigger.Trigger;
import io.guidance.trigger.TriggerJson;
import java.util.LinkedHashMap;
import java.util.List;

/** Builds triggers the same way for every rule kind (SPEC section 4). */
final class Triggers {
    private Triggers() {}

    /**
     * A delivered trigger with an empty reason, and the arm and guide of the rule's experiment if
     * it has one, for the caller to fill; the delivery policy may change its status.
     */
    static Trigger of(RuleSet rules, Rule rule, String userId, String sessionId, long ts) {
        Trigger t = new Trigger();
        t.triggerId = Trigger.triggerId(rule.id, userId, sessionId, ts);
        t.ruleId = rule.id;
        t.guide = rule.guide;
        t.kind = rule.kind();
        t.userId = userId;
        t.sessionId = sessionId;
        t.ts = ts;
        t.expiresAt = ts + rules.delivery.ttlMs;
        t.priority = rule.priority;
        t.reason = new LinkedHashMap<>();
        t.status = Trigger.DELIVERED;
        Experiment x = rules.experimentOf(rule.id);
        if (x != null) {
            // SPEC section 7: the arm decides the guide (the rule's own for control); a threshold
            // milestone puts its reachedGuide back afterwards and keeps the variant
            t.variant = x.armOf(userId);
            if (!x.isControl(t.variant)) {
                t.guide = t.variant;
            }
        }
        return t;
    }

    /** The JSON text of a string, for a reason value. */
    static String quote(String s) {
        return TriggerJson.quote(s);
    }

    /**
     * Adds a trigger of the rule to the instant's triggers; a disabled rule keeps its state but
     * fires nothing.
     */
    static void fire(List<Trigger> out, Rule rule, Trigger t) {
        if (rule.enabled) {
            out.add(t);
        }
    }
}
