package io.guidance.detect;

import io.guidance.rules.Rule;
import java.util.List;

/** The detector of every rule kind, in one place. */
final class Detectors {
    private Detectors() {}

    /** A new set of detectors: one engine's, which binds their state in its {@code open}. */
    static List<Detector<?>> all() {
        return List.of(
                new StallDetector(),
                new BurstDetector(),
                new LoopDetector(),
                new ThresholdDetector(),
                new ComebackDetector());
    }

    /** The detector of the rule's kind, among {@code detectors}. */
    @SuppressWarnings("unchecked")
    static Detector<Rule> of(Rule rule, List<Detector<?>> detectors) {
        for (Detector<?> d : detectors) {
            if (d.ruleClass() == rule.getClass()) {
                return (Detector<Rule>) d;
            }
        }
        throw new IllegalArgumentException(
                "no detector for rule " + rule.id + " of kind " + rule.kind());
    }
}
