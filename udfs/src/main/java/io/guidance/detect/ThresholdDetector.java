package io.guidance.detect;

import io.guidance.event.Event;
import io.guidance.rules.ThresholdRule;
import io.guidance.trigger.Trigger;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * {@code threshold} (SPEC section 3), the retention "magic number": counts the user's {@code
 * action} events in a {@code sinceFirstSeen} or {@code rolling} window; reaching {@code target}
 * fires {@code reachedGuide}, a count in the nudge band fires {@code guide} after a counted action
 * or on the first event of a new session.
 *
 * <p>State: {@link StateNames#THRESHOLD_COUNTS}, ruleId -&gt; {@link ThresholdCount}, compact
 * whatever the user's history. End of life: with the user's first/last seen, when the sweep finds
 * the user idle for the user retention (at least the rule's window); when its rule is removed.
 */
final class ThresholdDetector implements Detector<ThresholdRule> {
    static final MapStateDescriptor<String, ThresholdCount> THRESHOLD_COUNTS =
            new MapStateDescriptor<>(
                    StateNames.THRESHOLD_COUNTS, Types.STRING, Types.POJO(ThresholdCount.class));

    private transient MapState<String, ThresholdCount> counts;

    @Override
    public Class<ThresholdRule> ruleClass() {
        return ThresholdRule.class;
    }

    /** A nudge on a session start fires only while the window is open: for good, when rolling. */
    @Override
    public long sessionStartsMatterFor(ThresholdRule rule) {
        return rule.sinceFirstSeen ? rule.windowMs : Long.MAX_VALUE;
    }

    @Override
    public Reach reach(ThresholdRule rule) {
        return rule.nudgeFrom >= 0 ? Reach.MATCHING_TYPES_AND_SESSION_STARTS : Reach.MATCHING_TYPES;
    }

    @Override
    public long windowMs(ThresholdRule rule) {
        return rule.windowMs;
    }

    @Override
    public void open(RuntimeContext ctx) {
        counts = ctx.getMapState(THRESHOLD_COUNTS);
    }

    /**
     * One rule for one event. When {@code mayMatch} is false the event cannot be the action, which
     * leaves only the new-session nudge to check.
     */
    @Override
    public void onEvent(
            ThresholdRule r, Event e, boolean mayMatch, UserContext user, List<Trigger> out)
            throws Exception {
        long t = e.ts;
        UserActivity seen = user.activity;
        boolean windowOpen = !r.sinceFirstSeen || t < seen.firstSeen + r.windowMs;
        boolean counted = windowOpen && mayMatch && r.action.matches(e);
        if (!counted && !(user.newSession && windowOpen && r.nudgeFrom >= 0)) {
            return;
        }
        ThresholdCount c = counts.get(r.id);
        boolean fresh = c == null;
        if (fresh) {
            c = new ThresholdCount(); // a user with no counted action yet: count 0
        }
        int count;
        if (r.sinceFirstSeen) {
            if (counted) {
                c.count++;
            }
            count = c.count;
        } else {
            if (counted) {
                c.recent.add(t);
                if (c.recent.size() > r.target) {
                    c.recent.subList(0, c.recent.size() - r.target).clear();
                }
            }
            long from = t - r.windowMs; // window (t - W, t]
            c.recent.removeIf(ts -> ts <= from);
            count = c.recent.size();
        }
        Trigger fired = null;
        if (counted && count >= r.target) {
            boolean fire =
                    r.reachedGuide != null
                            && (r.sinceFirstSeen ? !c.reached : c.lastReached <= t - r.windowMs);
            if (fire) {
                fired = Triggers.of(user.rules, r, user.userId, null, t);
                fired.guide = r.reachedGuide;
                c.reached = true;
                c.lastReached = t;
                reason(fired, r, count, seen);
                fired.reason.put("reached", "true");
            }
        } else if (r.inNudgeBand(count)) {
            fired = Triggers.of(user.rules, r, user.userId, null, t);
            reason(fired, r, count, seen);
            if (!counted) {
                fired.reason.put("newSession", Triggers.quote(e.sessionId));
            }
        }
        if (counted || !fresh) {
            counts.put(r.id, c);
        }
        if (fired != null) {
            Triggers.fire(out, r, fired);
        }
    }

    private static void reason(Trigger t, ThresholdRule r, int count, UserActivity seen) {
        t.reason.put("count", Integer.toString(count));
        t.reason.put("target", Integer.toString(r.target));
        t.reason.put(r.sinceFirstSeen ? "sinceFirstSeen" : "rolling", Long.toString(r.windowMs));
        if (r.sinceFirstSeen) {
            t.reason.put("firstSeen", Long.toString(seen.firstSeen));
        }
    }

    @Override
    public void forgetUser(Inbox in) {
        counts.clear();
    }

    @Override
    public void releaseRule(String ruleId, EveryKey everyKey) throws Exception {
        everyKey.apply(
                THRESHOLD_COUNTS,
                (key, state) -> {
                    state.remove(ruleId);
                    if (state.isEmpty()) {
                        state.clear();
                    }
                });
    }
}
