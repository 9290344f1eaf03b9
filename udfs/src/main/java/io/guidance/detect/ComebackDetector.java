package io.guidance.detect;

import io.guidance.event.Event;
import io.guidance.rules.ComebackRule;
import io.guidance.trigger.Trigger;
import java.util.List;

/**
 * {@code comeback} (SPEC section 3): the first event of a user whose previous event is at least
 * {@code gap} earlier.
 *
 * <p>State: none of its own; it reads the user's last seen ({@link Inbox#activity}), which the
 * engine keeps at least {@code gap} after the user's last event.
 */
final class ComebackDetector implements Detector<ComebackRule> {
    @Override
    public Class<ComebackRule> ruleClass() {
        return ComebackRule.class;
    }

    @Override
    public Reach reach(ComebackRule rule) {
        return Reach.EVERY_EVENT;
    }

    @Override
    public long windowMs(ComebackRule rule) {
        return rule.gapMs;
    }

    @Override
    public void onEvent(
            ComebackRule r, Event e, boolean mayMatch, UserContext user, List<Trigger> out) {
        long previous = user.previousEventTs;
        if (previous != UserContext.NO_PREVIOUS_EVENT && e.ts - previous >= r.gapMs) {
            Trigger t = Triggers.of(user.rules, r, user.userId, null, e.ts);
            t.reason.put("gap", Long.toString(r.gapMs));
            t.reason.put("away", Long.toString(e.ts - previous));
            t.reason.put("previousEventAt", Long.toString(previous));
            Triggers.fire(out, r, t);
        }
    }
}
