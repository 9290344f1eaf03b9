package io.guidance.detect;

import io.guidance.rules.ComebackRule;
import io.guidance.rules.Rule;
import io.guidance.rules.RuleSet;
import io.guidance.rules.ThresholdRule;
import io.guidance.rules.WindowedMatchRule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rules indexed by the event types they can act on, so that the cost of an event does not grow with
 * rules that cannot match it. A rule whose matchers leave the type open is a candidate for every
 * event. Lists keep file order.
 */
public final class RuleIndex {
    private final Map<String, Rule> byId = new HashMap<>();

    /** Per event type: the stall, burst, loop and threshold rules whose matchers can match it. */
    private final Map<String, List<Rule>> byType = new HashMap<>();

    private final List<Rule> anyType;

    /**
     * Per event type: threshold rules whose action cannot match it (they may still nudge on a new
     * session).
     */
    private final Map<String, List<ThresholdRule>> thresholdsNotByType = new HashMap<>();

    private final List<ThresholdRule> thresholds = new ArrayList<>();

    /**
     * Threshold rules whose action names its types: for an event of a type no rule names, none can
     * count it.
     */
    private final List<ThresholdRule> typedThresholds = new ArrayList<>();

    private final List<ComebackRule> comebacks = new ArrayList<>();
    private final long longestSessionWindowMs;
    private final long longestUserWindowMs;

    public RuleIndex(RuleSet rules) {
        List<Rule> typed = new ArrayList<>();
        Set<String> types = new LinkedHashSet<>();
        long session = 0;
        long user = 0;
        for (Rule r : rules.rules) {
            byId.put(r.id, r);
            if (r instanceof ComebackRule) {
                comebacks.add((ComebackRule) r);
                user = Math.max(user, ((ComebackRule) r).gapMs);
                continue;
            }
            typed.add(r);
            Set<String> t = r.eventTypes();
            if (t != null) {
                types.addAll(t);
            }
            if (r instanceof ThresholdRule) {
                thresholds.add((ThresholdRule) r);
                user = Math.max(user, ((ThresholdRule) r).windowMs);
            } else if (r instanceof WindowedMatchRule) {
                session = Math.max(session, ((WindowedMatchRule) r).withinMs);
            }
        }
        longestSessionWindowMs = session;
        longestUserWindowMs = user;
        anyType = Collections.unmodifiableList(candidates(typed, null));
        for (String type : types) {
            byType.put(type, Collections.unmodifiableList(candidates(typed, type)));
        }
        for (String type : types) {
            List<ThresholdRule> others = new ArrayList<>();
            for (ThresholdRule r : thresholds) {
                if (!byType.get(type).contains(r)) {
                    others.add(r);
                }
            }
            thresholdsNotByType.put(type, Collections.unmodifiableList(others));
        }
        for (ThresholdRule r : thresholds) {
            if (r.eventTypes() != null) {
                typedThresholds.add(r);
            }
        }
    }

    /**
     * Rules whose types include {@code type}, or are open; with a null type, only the open ones.
     */
    private static List<Rule> candidates(List<Rule> rules, String type) {
        List<Rule> out = new ArrayList<>();
        for (Rule r : rules) {
            Set<String> t = r.eventTypes();
            if (t == null || (type != null && t.contains(type))) {
                out.add(r);
            }
        }
        return out;
    }

    Rule rule(String id) {
        return byId.get(id);
    }

    /**
     * Stall, burst, loop and threshold rules that can act on an event of this type, in file order.
     */
    public List<Rule> rulesFor(String type) {
        List<Rule> l = byType.get(type);
        return l != null ? l : anyType;
    }

    /** Threshold rules not in {@link #rulesFor}: only their new-session nudge can apply. */
    List<ThresholdRule> thresholdRulesNotFor(String type) {
        List<ThresholdRule> l = thresholdsNotByType.get(type);
        return l != null ? l : typedThresholds;
    }

    List<ComebackRule> comebackRules() {
        return comebacks;
    }

    /** True when some rule needs per-user memory (first/last seen): threshold or comeback. */
    boolean hasPerUserRules() {
        return !thresholds.isEmpty() || !comebacks.isEmpty();
    }

    long longestSessionWindowMs() {
        return longestSessionWindowMs;
    }

    long longestUserWindowMs() {
        return longestUserWindowMs;
    }
}
