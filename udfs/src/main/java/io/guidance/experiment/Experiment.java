package io.guidance.experiment;

import io.guidance.rules.Matcher;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rule's {@code experiment} block (SPEC section 7): variants (guide -> percent of the rule's
 * users) in the order written, a control share, the goal and its window, and the salt. Immutable.
 * Arm i covers buckets {@code [100 * shares before i, 100 * shares up to i)}: the variants in
 * written order, then {@code control}.
 */
public final class Experiment implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String CONTROL = "control";

    /** The experiment name and arms of the program holdout. */
    public static final String PROGRAM = "program";

    public static final String TREATED = "treated";
    public static final String HOLDOUT = "holdout";

    /** The rule id, or {@link #PROGRAM}. */
    public final String name;

    /** guide -> percent, in the order written. */
    public final Map<String, Integer> variants;

    public final int control;
    public final Matcher goal;
    public final long windowMs;
    public final String salt;

    /** {@code control}, or {@code holdout} for the program. */
    public final String controlArm;

    /** Arm names in the order written: variants, then the control arm. */
    private final String[] arms;

    /** Exclusive upper bucket of each arm. */
    private final int[] upTo;

    public Experiment(
            String name,
            Map<String, Integer> variants,
            int control,
            Matcher goal,
            long windowMs,
            String salt) {
        this(name, variants, control, goal, windowMs, salt, CONTROL);
    }

    private Experiment(
            String name,
            Map<String, Integer> variants,
            int control,
            Matcher goal,
            long windowMs,
            String salt,
            String controlArm) {
        this.name = name;
        this.controlArm = controlArm;
        this.variants = Collections.unmodifiableMap(new LinkedHashMap<>(variants));
        this.control = control;
        this.goal = goal;
        this.windowMs = windowMs;
        this.salt = salt;
        List<String> names = new ArrayList<>(this.variants.keySet());
        names.add(controlArm);
        arms = names.toArray(new String[0]);
        upTo = new int[arms.length];
        int sum = 0;
        for (int i = 0; i < arms.length; i++) {
            sum += shareOf(arms[i]);
            upTo[i] = 100 * sum;
        }
    }

    /** The arm of a bucket: a variant's guide id, or {@link #CONTROL}. */
    public String armOfBucket(int bucket) {
        if (isProgram()) {
            // SPEC: the holdout is the bottom of the buckets of salt "holdout"
            return bucket < 100 * control ? HOLDOUT : TREATED;
        }
        for (int i = 0; i < arms.length; i++) {
            if (bucket < upTo[i]) {
                return arms[i];
            }
        }
        return controlArm; // shares sum to 100: not reached
    }

    public String armOf(String userId) {
        return armOfBucket(Assignment.bucket(salt, userId));
    }

    /** Arm names: the variants as written, then the control arm. */
    public List<String> arms() {
        return List.of(arms);
    }

    /** The percent of users an arm gets; 0 for an unknown arm. */
    public int shareOf(String arm) {
        if (controlArm.equals(arm)) {
            return control;
        }
        Integer share = variants.get(arm);
        return share == null ? 0 : share;
    }

    /** The program holdout as an experiment: arms {@code treated} and {@code holdout}. */
    public static Experiment program(int holdout, Matcher goal, long goalWindowMs) {
        Map<String, Integer> arms = new LinkedHashMap<>();
        arms.put(TREATED, 100 - holdout);
        return new Experiment(
                PROGRAM, arms, holdout, goal, goalWindowMs, Assignment.HOLDOUT_SALT, HOLDOUT);
    }

    public boolean isProgram() {
        return PROGRAM.equals(name);
    }

    /** True for the arm every other arm is compared with. */
    public boolean isControl(String arm) {
        return controlArm.equals(arm);
    }
}
