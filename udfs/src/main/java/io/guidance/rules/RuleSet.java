package io.guidance.rules;

import java.io.Serializable;
import java.util.List;

/** A validated rules file: its version, delivery defaults and rules in file order. Immutable. */
public final class RuleSet implements Serializable {
    private static final long serialVersionUID = 1L;

    public final int version;
    public final DeliverySettings delivery;
    public final List<Rule> rules;

    public RuleSet(int version, DeliverySettings delivery, List<Rule> rules) {
        this.version = version;
        this.delivery = delivery;
        this.rules = List.copyOf(rules);
    }

    public Rule rule(String id) {
        for (Rule r : rules) {
            if (r.id.equals(id)) {
                return r;
            }
        }
        return null;
    }

    /** The cooldown in force for a rule: its own, else the delivery default. */
    public long cooldownOf(Rule r) {
        return r.cooldownMs >= 0 ? r.cooldownMs : delivery.cooldownMs;
    }
}
