package io.guidance.bench.jmh;

import io.guidance.detect.DetectionEngine;
import io.guidance.detect.RuleIndex;
import io.guidance.event.Event;
import io.guidance.rules.Rule;
import io.guidance.rules.RuleSet;
import io.guidance.rules.StallRule;
import io.guidance.rules.ThresholdRule;
import io.guidance.rules.WindowedMatchRule;

/**
 * The rule look-up that {@link DetectionEngine} makes for each event, without the state around it:
 * the {@link RuleIndex} candidates for the event's type, then each candidate's matchers in the
 * order the engine tests them. The microbenchmarks measure it through this class.
 */
final class RuleLookup {
    private final RuleIndex index;

    RuleLookup(RuleSet rules) {
        this.index = new RuleIndex(rules);
    }

    /** How many rules act on {@code e}: the candidates for its type whose matchers match it. */
    public int matchingRules(Event e) {
        int n = 0;
        for (Rule r : index.rulesFor(e.type)) {
            boolean matches;
            if (r instanceof StallRule) {
                StallRule s = (StallRule) r;
                matches = s.start.matches(e) || s.isProgress(e);
            } else if (r instanceof WindowedMatchRule) {
                matches = ((WindowedMatchRule) r).match.matches(e);
            } else {
                matches = ((ThresholdRule) r).action.matches(e);
            }
            if (matches) {
                n++;
            }
        }
        return n;
    }

    /** How many rules are candidates for an event of this type, before matching. */
    public int candidates(String type) {
        return index.rulesFor(type).size();
    }
}
