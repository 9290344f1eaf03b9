package io.guidance.deliver;

import io.guidance.event.Event;
import io.guidance.experiment.Assignment;
import io.guidance.experiment.Experiment;
import io.guidance.rules.Rule;
import io.guidance.rules.RuleSet;
import io.guidance.trigger.Trigger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The delivery policy of SPEC section 4, per user, under the same key as detection so it needs no
 * shuffle of its own. Triggers are decided in ts order (the caller hands over all triggers of one
 * instant at once); at one instant, higher priority first, then rule id. The first failing check
 * suppresses a trigger with its reason: {@code dismissed}, {@code cooldown}, {@code min_gap},
 * {@code daily_cap}; then the two checks of experiments (SPEC section 7): {@code holdout} (the user
 * is in the program holdout) and {@code control} (the trigger's arm is the control). A trigger held
 * back by those two counts for cooldown, gap and cap as a delivered one, so a held-back user's
 * sequence of would-be guides is what a treated user gets. Suppressed triggers stay in the output,
 * with their status, for the audit.
 */
public final class DeliveryPolicy {
    public static final String DISMISSED = "dismissed";
    public static final String COOLDOWN = "cooldown";
    public static final String MIN_GAP = "min_gap";
    public static final String DAILY_CAP = "daily_cap";
    public static final String HOLDOUT = "holdout";
    public static final String CONTROL = "control";
    public static final long DAY_MS = 86_400_000L;

    /** Feedback event types that stop a guide for good (SPEC section 4, check 1). */
    public static final String GUIDE_DISMISSED = "guide_dismissed";

    public static final String GUIDE_COMPLETED = "guide_completed";

    /** Order of the triggers of one instant: higher priority first, then rule id. */
    public static final Comparator<Trigger> SAME_INSTANT_ORDER =
            Comparator.comparingInt((Trigger t) -> t.priority)
                    .reversed()
                    .thenComparing(t -> t.ruleId);

    private RuleSet rules;
    private long dismissalRetentionMs;
    private long longestCooldownMs;

    /**
     * guide -> ts of the user's first dismissal or completion. End of life: removed {@code
     * dismissalRetention} after that ts (the user retention of the job), by the caller's cleanup
     * timer.
     */
    private final MapState<String, Long> dismissed;

    /**
     * guide -> ts it was last delivered to this user. End of life: removed once older than the
     * longest cooldown.
     */
    private final MapState<String, Long> lastDelivered;

    /**
     * ts of the latest deliveries to this user, oldest first, at most {@code maxPerDay} and none
     * older than 24 h (enough for the daily cap and the minimum gap). End of life: cleared 24 h
     * after the last delivery.
     */
    private final ValueState<List<Long>> recent;

    private final MetricGroup metrics;
    private final Map<String, Counter> counters = new HashMap<>();

    public DeliveryPolicy(RuntimeContext ctx, RuleSet rules, long dismissalRetentionMs) {
        setRules(rules, dismissalRetentionMs);
        this.dismissed =
                ctx.getMapState(
                        new MapStateDescriptor<>(
                                DeliveryStateNames.DISMISSED_GUIDES, Types.STRING, Types.LONG));
        this.lastDelivered =
                ctx.getMapState(
                        new MapStateDescriptor<>(
                                DeliveryStateNames.LAST_DELIVERED, Types.STRING, Types.LONG));
        this.recent =
                ctx.getState(
                        new ValueStateDescriptor<>(
                                DeliveryStateNames.RECENT_DELIVERIES, Types.LIST(Types.LONG)));
        this.metrics = ctx.getMetricGroup().addGroup("delivery");
    }

    /**
     * Takes a new rule set: its delivery defaults and cooldowns apply from the next decision on.
     */
    public void setRules(RuleSet newRules, long newDismissalRetentionMs) {
        this.rules = newRules;
        this.dismissalRetentionMs = newDismissalRetentionMs;
        long cooldown = newRules.delivery.cooldownMs;
        for (Rule r : newRules.rules) {
            cooldown = Math.max(cooldown, newRules.cooldownOf(r));
        }
        this.longestCooldownMs = cooldown;
    }

    /**
     * True for a feedback event that names a guide; it is remembered, and may suppress later
     * triggers.
     */
    public boolean onFeedback(Event e) throws Exception {
        if (!GUIDE_DISMISSED.equals(e.type) && !GUIDE_COMPLETED.equals(e.type)) {
            return false;
        }
        String guide = e.props == null ? null : e.props.get("guide");
        if (guide == null) {
            return false;
        }
        if (!dismissed.contains(guide)) {
            dismissed.put(guide, e.ts);
        }
        return true;
    }

    /**
     * Sets the status of every trigger of one instant, in place, and sorts them into decision
     * order. Feedback of the same instant does not count (the SPEC asks for feedback strictly
     * before the trigger).
     */
    public void decide(List<Trigger> sameInstant) throws Exception {
        if (sameInstant.size() > 1) {
            sameInstant.sort(SAME_INSTANT_ORDER);
        }
        for (Trigger t : sameInstant) {
            String reason = check(t);
            if (reason == null) {
                reason = heldBack(t);
                // held back or not, the policy remembers it as delivered
                record(t);
            }
            t.status = reason == null ? Trigger.DELIVERED : Trigger.SUPPRESSED_PREFIX + reason;
            count(t);
        }
    }

    /** Checks 5 and 6 (SPEC section 7): the program holdout, then the rule's control arm. */
    private String heldBack(Trigger t) {
        if (rules.program != null && Assignment.inHoldout(rules.delivery.holdout, t.userId)) {
            return HOLDOUT;
        }
        if (Experiment.CONTROL.equals(t.variant)) {
            return CONTROL;
        }
        return null;
    }

    private String check(Trigger t) throws Exception {
        long ts = t.ts;
        Long dismissedAt = dismissed.get(t.guide);
        if (dismissedAt != null && dismissedAt < ts) {
            return DISMISSED;
        }
        Rule rule = rules.rule(t.ruleId);
        long cooldown = rule == null ? rules.delivery.cooldownMs : rules.cooldownOf(rule);
        Long last = lastDelivered.get(t.guide);
        if (last != null && ts - last < cooldown) {
            return COOLDOWN;
        }
        List<Long> deliveries = recent.value();
        if (deliveries != null && !deliveries.isEmpty()) {
            if (ts - deliveries.get(deliveries.size() - 1) < rules.delivery.minGapMs) {
                return MIN_GAP;
            }
            int inLastDay = 0;
            for (long d : deliveries) {
                if (d > ts - DAY_MS) {
                    inLastDay++;
                }
            }
            if (inLastDay >= rules.delivery.maxPerDay) {
                return DAILY_CAP;
            }
        }
        return null;
    }

    private void record(Trigger t) throws Exception {
        lastDelivered.put(t.guide, t.ts);
        List<Long> deliveries = recent.value();
        if (deliveries == null) {
            deliveries = new ArrayList<>(2);
        }
        deliveries.add(t.ts);
        long from = t.ts - DAY_MS;
        deliveries.removeIf(d -> d <= from);
        int keep = Math.max(1, rules.delivery.maxPerDay);
        if (deliveries.size() > keep) {
            deliveries.subList(0, deliveries.size() - keep).clear();
        }
        recent.update(deliveries);
    }

    private void count(Trigger t) {
        String key = t.ruleId + '\u0000' + t.status;
        counters.computeIfAbsent(
                        key,
                        k -> metrics.addGroup("rule", t.ruleId).counter(t.status.replace(':', '_')))
                .inc();
    }

    /**
     * No later than the earliest time at which what a decision at {@code t} stored expires (a
     * delivery: its cooldown and the daily window of the cap), without reading state: the caller
     * sweeps then, and {@link #cleanup} tells the exact next expiry.
     */
    public long expiryAfterDecisionAt(long t) {
        return t + Math.min(longestCooldownMs, Math.max(DAY_MS, rules.delivery.minGapMs));
    }

    /** The same for a feedback event at {@code t}: a dismissal or completion it remembered. */
    public long expiryAfterFeedbackAt(long t) {
        return t + dismissalRetentionMs;
    }

    /**
     * Forgets what expired at {@code time}; returns the next expiry, or {@code Long.MAX_VALUE}.
     * Reads each state once: this runs at every sweep of every user.
     */
    public long cleanup(long time) throws Exception {
        long next = Long.MAX_VALUE;
        boolean removed = false;
        for (Iterator<Map.Entry<String, Long>> it = dismissed.iterator(); it.hasNext(); ) {
            long expiry = it.next().getValue() + dismissalRetentionMs;
            if (expiry <= time) {
                it.remove();
                removed = true;
            } else {
                next = Math.min(next, expiry);
            }
        }
        if (removed && dismissed.isEmpty()) {
            dismissed.clear();
        }
        removed = false;
        for (Iterator<Map.Entry<String, Long>> it = lastDelivered.iterator(); it.hasNext(); ) {
            long expiry = it.next().getValue() + longestCooldownMs;
            if (expiry <= time) {
                it.remove();
                removed = true;
            } else {
                next = Math.min(next, expiry);
            }
        }
        if (removed && lastDelivered.isEmpty()) {
            lastDelivered.clear();
        }
        List<Long> deliveries = recent.value();
        if (deliveries != null) {
            long expiry =
                    deliveries.isEmpty()
                            ? Long.MIN_VALUE
                            : deliveries.get(deliveries.size() - 1)
                                    + Math.max(DAY_MS, rules.delivery.minGapMs);
            if (expiry <= time) {
                recent.clear();
            } else {
                next = Math.min(next, expiry);
            }
        }
        return next;
    }
}
