package io.guidance.experiment;

import io.guidance.event.Event;
import io.guidance.rules.RuleSet;
import io.guidance.trigger.Trigger;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;

/**
 * Exposures and conversions of one user (SPEC section 7), under the user's key, each once per
 * experiment and user:
 *
 * <ul>
 *   <li>a rule experiment's exposure is the user's first trigger of the rule, with the salt in
 *       force, that was {@code delivered} or {@code suppressed:control}; its arm is the trigger's
 *       variant (holdout users never get those statuses, so they are in no rule experiment);
 *   <li>the program's exposure is the user's first trigger of any rule that passed checks 1-4;
 *   <li>a conversion is the user's first event that matches the experiment's goal with {@code
 *       exposedAt < ts <= exposedAt + window}. Goal and window are those in force when the event
 *       runs, so a live change applies to waits still open; a window made longer does not keep a
 *       wait open past the end it had when the user was exposed (the inbox's bound of open waits is
 *       set at exposure), as docs/experiments.md says.
 * </ul>
 *
 * <p>State: one map entry per experiment the user was exposed to (key: experiment and salt), so an
 * event never rewrites more than the entry it converts. End of life: with the user ({@link
 * #forgetUser}, at the user retention, which is at least the longest conversion window). Events are
 * only looked at while some wait is open ({@link #convert} is asked only then), so a user with no
 * open wait costs nothing per event.
 */
public final class Exposures {
    /** Separates experiment name and salt in a state key. */
    private static final char SEP = '\u001f';

    private static final String CONTROL_HELD = Trigger.SUPPRESSED_PREFIX + "control";
    private static final String HOLDOUT_HELD = Trigger.SUPPRESSED_PREFIX + "holdout";

    private final MapState<String, Exposure> exposures;
    private final Counter exposed;
    private final Counter converted;
    private RuleSet rules;

    public Exposures(RuntimeContext ctx, RuleSet rules) {
        this.exposures =
                ctx.getMapState(
                        new MapStateDescriptor<>(
                                ExperimentStateNames.EXPOSURES,
                                Types.STRING,
                                Types.POJO(Exposure.class)));
        var metrics = ctx.getMetricGroup().addGroup("experiments");
        this.exposed = metrics.counter("exposures");
        this.converted = metrics.counter("conversions");
        setRules(rules);
    }

    public void setRules(RuleSet newRules) {
        this.rules = newRules;
    }

    /** The longest conversion window of the rules in force, or 0. */
    public static long longestWindowMs(RuleSet rules) {
        long w = rules.program == null ? 0 : rules.program.windowMs;
        for (Experiment x : rules.experiments.values()) {
            w = Math.max(w, x.windowMs);
        }
        return w;
    }

    /**
     * Records the exposures among one instant's decided triggers (in decision order); returns the
     * latest end of a conversion wait it opened, or {@code Long.MIN_VALUE}.
     */
    public long expose(List<Trigger> decided, Consumer<ExperimentRecord> out) throws Exception {
        long waitUntil = Long.MIN_VALUE;
        for (Trigger t : decided) {
            Experiment x = rules.experimentOf(t.ruleId);
            if (x != null
                    && t.variant != null
                    && (t.isDelivered() || CONTROL_HELD.equals(t.status))) {
                waitUntil = Math.max(waitUntil, expose(x, t.variant, t, out));
            }
            Experiment program = rules.program;
            if (program != null
                    && (t.isDelivered()
                            || CONTROL_HELD.equals(t.status)
                            || HOLDOUT_HELD.equals(t.status))) {
                String arm =
                        HOLDOUT_HELD.equals(t.status) ? Experiment.HOLDOUT : Experiment.TREATED;
                waitUntil = Math.max(waitUntil, expose(program, arm, t, out));
            }
        }
        return waitUntil;
    }

    private long expose(Experiment x, String arm, Trigger t, Consumer<ExperimentRecord> out)
            throws Exception {
        String key = x.name + SEP + x.salt;
        if (exposures.contains(key)) {
            return Long.MIN_VALUE;
        }
        exposures.put(key, new Exposure(arm, t.ts));
        exposed.inc();
        out.accept(ExperimentRecord.exposure(x, arm, t.userId, t.ts, t.triggerId));
        return t.ts + x.windowMs;
    }

    /** True when the event matches the goal of some experiment in force: it may convert. */
    public boolean matchesSomeGoal(Event e) {
        if (rules.program != null && rules.program.goal.matches(e)) {
            return true;
        }
        for (Experiment x : rules.experiments.values()) {
            if (x.goal.matches(e)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The conversions an event makes, for a user with a wait that may still be open at its ts.
     * Returns false when no wait is open any more, so the caller can stop asking.
     */
    public boolean convert(Event e, Consumer<ExperimentRecord> out) throws Exception {
        boolean open = false;
        for (Map.Entry<String, Exposure> entry : exposures.entries()) {
            Exposure x = entry.getValue();
            if (x.converted) {
                continue;
            }
            String key = entry.getKey();
            int sep = key.indexOf(SEP);
            String name = key.substring(0, sep);
            Experiment experiment =
                    Experiment.PROGRAM.equals(name) ? rules.program : rules.experimentOf(name);
            if (experiment == null || !experiment.salt.equals(key.substring(sep + 1))) {
                continue; // the experiment ended, or a new salt started a new one
            }
            long end = x.exposedAt + experiment.windowMs;
            if (e.ts > end) {
                continue;
            }
            if (e.ts > x.exposedAt && experiment.goal.matches(e)) {
                x.converted = true;
                entry.setValue(x);
                converted.inc();
                out.accept(
                        ExperimentRecord.conversion(
                                experiment.name,
                                experiment.salt,
                                x.arm,
                                e.userId,
                                e.ts,
                                x.exposedAt));
            } else {
                open = true;
            }
        }
        return open;
    }

    /** Forgets the user's exposures: the job no longer remembers the user. */
    public void forgetUser() {
        exposures.clear();
    }
}
