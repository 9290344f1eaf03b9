package io.guidance.detect;

import io.guidance.event.Event;
import io.guidance.rules.Rule;
import io.guidance.rules.StallRule;
import io.guidance.trigger.Trigger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code stall} (SPEC section 3): a start opens a wait until t + within, a later start restarts it,
 * progress at or before the deadline cancels it, otherwise one trigger fires at the deadline, after
 * the events of that instant.
 *
 * <p>State: {@link Inbox#stallDeadlines}, (ruleId, sessionId) -&gt; deadline of the open wait. End
 * of life: removed when progress cancels the wait or when it fires at its deadline (a wait of a
 * rule that is gone fires nothing), or when its rule is removed. A wait needs no session memory, so
 * it does not extend the session retention.
 */
final class StallDetector implements Detector<StallRule> {
    @Override
    public Class<StallRule> ruleClass() {
        return StallRule.class;
    }

    @Override
    public long windowMs(StallRule rule) {
        return 0;
    }

    @Override
    public void onEvent(
            StallRule r, Event e, boolean mayMatch, UserContext user, List<Trigger> out) {
        String key = r.id + DetectionEngine.SEP + e.sessionId;
        if (r.start.matches(e)) {
            // a start restarts the wait, even when it also matches progress
            user.inbox.stallDeadlines().put(key, e.ts + r.withinMs);
        } else if (r.isProgress(e)) {
            Map<String, Long> deadlines = user.inbox.stallDeadlines();
            Long deadline = deadlines.get(key);
            if (deadline != null && e.ts <= deadline) {
                deadlines.remove(key);
            }
        }
    }

    @Override
    public long nextDeadline(Inbox in) {
        return in.firstDeadline();
    }

    @Override
    public void onDeadlines(long time, UserContext user, List<Trigger> out) {
        Map<String, Long> deadlines = user.inbox.stallDeadlines;
        if (deadlines == null) {
            return;
        }
        List<Map.Entry<String, Long>> due = null;
        for (Map.Entry<String, Long> entry : deadlines.entrySet()) {
            if (entry.getValue() <= time) {
                if (due == null) {
                    due = new ArrayList<>(2);
                }
                due.add(Map.entry(entry.getKey(), entry.getValue()));
            }
        }
        if (due == null) {
            return;
        }
        due.sort(
                Map.Entry.<String, Long>comparingByValue()
                        .thenComparing(Map.Entry.comparingByKey()));
        for (Map.Entry<String, Long> d : due) {
            deadlines.remove(d.getKey());
            String key = d.getKey();
            int sep = key.indexOf(DetectionEngine.SEP);
            Rule rule = user.index.rule(key.substring(0, sep));
            if (!(rule instanceof StallRule)) {
                continue; // the rule is gone: release, fire nothing
            }
            StallRule stall = (StallRule) rule;
            long deadline = d.getValue();
            Trigger t =
                    Triggers.of(user.rules, stall, user.userId, key.substring(sep + 1), deadline);
            t.reason.put("within", Long.toString(stall.withinMs));
            t.reason.put("startedAt", Long.toString(deadline - stall.withinMs));
            t.reason.put("deadline", Long.toString(deadline));
            Triggers.fire(out, stall, t);
        }
    }

    @Override
    public boolean releaseRule(String ruleId, Inbox in) {
        return in.stallDeadlines != null
                && in.stallDeadlines.keySet().removeIf(DetectionEngine.ofRule(ruleId));
    }
}
