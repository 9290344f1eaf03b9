package io.guidance.detect;

import io.guidance.event.Event;
import io.guidance.rules.BurstRule;
import io.guidance.trigger.Trigger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code burst} (SPEC section 3): matching events grouped by {@code sameField} within a session; a
 * group that holds {@code count} events within {@code within} fires and is emptied.
 *
 * <p>State: {@link Inbox#burstGroups}, (ruleId, sessionId, group value) -&gt; ts of the group's
 * events. End of life: emptied when it fires; with its session (kept at least {@code within} after
 * the session's last event); when its rule is removed.
 */
final class BurstDetector implements Detector<BurstRule> {
    @Override
    public Class<BurstRule> ruleClass() {
        return BurstRule.class;
    }

    @Override
    public long windowMs(BurstRule rule) {
        return rule.withinMs;
    }

    @Override
    public void onEvent(
            BurstRule r, Event e, boolean mayMatch, UserContext user, List<Trigger> out) {
        if (!r.match.matches(e)) {
            return;
        }
        String value = r.sameField == null ? "" : e.field(r.sameField);
        if (value == null) {
            return;
        }
        String key = r.id + DetectionEngine.SEP + e.sessionId + DetectionEngine.SEP + value;
        Map<String, List<Long>> groups = user.inbox.burstGroups();
        List<Long> group = groups.get(key);
        if (group == null) {
            group = new ArrayList<>(r.count);
        }
        long from = e.ts - r.withinMs;
        group.removeIf(ts -> ts < from);
        group.add(e.ts);
        if (group.size() < r.count) {
            groups.put(key, group);
            return;
        }
        groups.remove(key);
        Trigger t = Triggers.of(user.rules, r, user.userId, e.sessionId, e.ts);
        t.reason.put("count", Integer.toString(group.size()));
        t.reason.put("within", Long.toString(r.withinMs));
        t.reason.put("firstAt", Long.toString(group.get(0)));
        if (r.sameField != null) {
            t.reason.put("field", Triggers.quote(r.sameField));
            t.reason.put("value", Triggers.quote(value));
        }
        Triggers.fire(out, r, t);
    }

    @Override
    public void forgetSessions(Set<String> idle, Inbox in) {
        if (in.burstGroups != null) {
            in.burstGroups
                    .keySet()
                    .removeIf(
                            key -> {
                                int a = key.indexOf(DetectionEngine.SEP);
                                int b = key.indexOf(DetectionEngine.SEP, a + 1);
                                return idle.contains(key.substring(a + 1, b));
                            });
        }
    }

    @Override
    public boolean releaseRule(String ruleId, Inbox in) {
        return in.burstGroups != null
                && in.burstGroups.keySet().removeIf(DetectionEngine.ofRule(ruleId));
    }
}
