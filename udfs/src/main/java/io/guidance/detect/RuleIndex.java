package io.guidance.detect;

import io.guidance.rules.Matcher;
import io.guidance.rules.Rule;
import io.guidance.rules.RuleSet;
import io.guidance.rules.StallRule;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rules indexed by the event types they can match, so that the cost of an event does not grow with rules that
 * cannot match it. A rule whose matchers leave the type open is a candidate for every event. Lists keep file order.
 */
final class RuleIndex {
    private final Map<String, Rule> byId = new HashMap<>();
    private final Map<String, List<StallRule>> stallByType = new HashMap<>();
    private final List<StallRule> stallAnyType = new ArrayList<>();

    RuleIndex(RuleSet rules) {
        List<StallRule> stalls = new ArrayList<>();
        for (Rule r : rules.rules) {
            byId.put(r.id, r);
            if (r instanceof StallRule) {
                stalls.add((StallRule) r);
            }
        }
        Set<String> types = new LinkedHashSet<>();
        for (StallRule r : stalls) {
            Set<String> t = typesOf(r);
            if (t == null) {
                stallAnyType.add(r);
            } else {
                types.addAll(t);
            }
        }
        for (String type : types) {
            List<StallRule> list = new ArrayList<>();
            for (StallRule r : stalls) {
                Set<String> t = typesOf(r);
                if (t == null || t.contains(type)) {
                    list.add(r);
                }
            }
            stallByType.put(type, Collections.unmodifiableList(list));
        }
    }

    Rule rule(String id) {
        return byId.get(id);
    }

    List<StallRule> stallRulesFor(String type) {
        List<StallRule> l = stallByType.get(type);
        return l != null ? l : stallAnyType;
    }

    private static Set<String> typesOf(StallRule r) {
        Set<String> out = new LinkedHashSet<>();
        List<Matcher> all = new ArrayList<>(r.progress);
        all.add(r.start);
        for (Matcher m : all) {
            Set<String> t = m.eventTypes();
            if (t == null) {
                return null;
            }
            out.addAll(t);
        }
        return out;
    }
}
