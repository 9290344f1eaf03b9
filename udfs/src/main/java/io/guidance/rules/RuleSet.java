package io.guidance.rules;

import io.guidance.experiment.Experiment;
import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A validated rules file: its version, delivery defaults and rules in file order. Immutable. */
public final class RuleSet implements Serializable {
    private static final long serialVersionUID = 1L;

    public final int version;
    public final DeliverySettings delivery;
    public final List<Rule> rules;

    /** rule id -> its experiment, for the rules that have one (SPEC section 7). */
    public final Map<String, Experiment> experiments;

    /** The program holdout, or null when {@code delivery.holdout} is 0. */
    public final Experiment program;

    public RuleSet(int version, DeliverySettings delivery, List<Rule> rules) {
        this(version, delivery, rules, Map.of());
    }

    public RuleSet(
            int version,
            DeliverySettings delivery,
            List<Rule> rules,
            Map<String, Experiment> experiments) {
        this.version = version;
        this.delivery = delivery;
        this.rules = List.copyOf(rules);
        this.experiments = Collections.unmodifiableMap(new LinkedHashMap<>(experiments));
        this.program = delivery.program();
    }

    /** The experiment of a rule, or null. */
    public Experiment experimentOf(String ruleId) {
        return experiments.get(ruleId);
    }

    /** True when some rule has an experiment or the program has a holdout. */
    public boolean hasExperiments() {
        return program != null || !experiments.isEmpty();
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
