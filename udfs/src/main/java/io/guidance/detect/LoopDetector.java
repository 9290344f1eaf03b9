package io.guidance.detect;

import io.guidance.event.Event;
import io.guidance.rules.LoopRule;
import io.guidance.trigger.Trigger;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code loop} (SPEC section 3): back and forth between values of {@code field} within a session; a
 * refresh (the previous value again) is ignored; a value that occurs {@code times} times within
 * {@code within} fires and empties the window.
 *
 * <p>State: {@link Inbox#loopWindows}, (ruleId, sessionId) -&gt; {@link LoopWindow}. End of life:
 * with its session (kept at least {@code within} after the session's last event); when its rule is
 * removed.
 */
final class LoopDetector implements Detector<LoopRule> {
    @Override
    public Class<LoopRule> ruleClass() {
        return LoopRule.class;
    }

    @Override
    public long windowMs(LoopRule rule) {
        return rule.withinMs;
    }

    @Override
    public void onEvent(
            LoopRule r, Event e, boolean mayMatch, UserContext user, List<Trigger> out) {
        if (!r.match.matches(e)) {
            return;
        }
        String value = e.field(r.field);
        if (value == null) {
            return;
        }
        String key = r.id + DetectionEngine.SEP + e.sessionId;
        Map<String, LoopWindow> windows = user.inbox.loopWindows();
        LoopWindow w = windows.get(key);
        if (w == null) {
            w = new LoopWindow();
        } else if (value.equals(w.previous)) {
            return; // a refresh is not a loop
        }
        w.previous = value;
        long from = e.ts - r.withinMs;
        int drop = 0;
        while (drop < w.times.size() && w.times.get(drop) < from) {
            drop++;
        }
        if (drop > 0) {
            w.times.subList(0, drop).clear();
            w.values.subList(0, drop).clear();
        }
        w.times.add(e.ts);
        w.values.add(value);
        int occurrences = 0;
        for (String v : w.values) {
            if (v.equals(value)) {
                occurrences++;
            }
        }
        if (occurrences >= r.times) {
            int distinct = new HashSet<>(w.values).size();
            Trigger t = Triggers.of(user.rules, r, user.userId, e.sessionId, e.ts);
            t.reason.put("times", Integer.toString(occurrences));
            t.reason.put("within", Long.toString(r.withinMs));
            t.reason.put("field", Triggers.quote(r.field));
            t.reason.put("value", Triggers.quote(value));
            t.reason.put("distinctValues", Integer.toString(distinct));
            w.times.clear();
            w.values.clear();
            Triggers.fire(out, r, t);
        }
        windows.put(key, w);
    }

    @Override
    public void forgetSessions(Set<String> idle, Inbox in) {
        if (in.loopWindows != null) {
            in.loopWindows
                    .keySet()
                    .removeIf(
                            key ->
                                    idle.contains(
                                            key.substring(key.indexOf(DetectionEngine.SEP) + 1)));
        }
    }

    @Override
    public boolean releaseRule(String ruleId, Inbox in) {
        return in.loopWindows != null
                && in.loopWindows.keySet().removeIf(DetectionEngine.ofRule(ruleId));
    }
}
