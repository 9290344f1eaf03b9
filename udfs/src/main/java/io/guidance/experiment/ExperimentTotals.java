package io.guidance.experiment;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Running totals of one experiment (one salt): per arm, exposed and converted users. Absolute
 * values, so writing them again is harmless. A Flink POJO (arrays, so its serializer needs no
 * Kryo).
 */
public class ExperimentTotals {
    public String experiment;
    public String salt;

    /** When the first record of this salt was counted (event time): the newest salt wins. */
    public long firstSeen;

    /** Arms in the order they were first seen. */
    public String[] arms = new String[0];

    public long[] exposed = new long[0];
    public long[] converted = new long[0];

    /**
     * Set on the totals as published, from the rules in force then: {@code control} or {@code
     * holdout}; null in state.
     */
    public String controlArm;

    /**
     * Set on the totals as published: the percent of users each of {@link #shareArms} gets under
     * the rules in force (0 for an arm no longer configured); empty in state.
     */
    public String[] shareArms = new String[0];

    public int[] shares = new int[0];

    public ExperimentTotals() {}

    public ExperimentTotals(String experiment, String salt, long firstSeen) {
        this.experiment = experiment;
        this.salt = salt;
        this.firstSeen = firstSeen;
    }

    /** Counts one record. */
    public void count(ExperimentRecord r) {
        int i = arm(r.arm);
        if (r.isExposure()) {
            exposed[i]++;
        } else {
            converted[i]++;
        }
    }

    private int arm(String arm) {
        for (int i = 0; i < arms.length; i++) {
            if (arms[i].equals(arm)) {
                return i;
            }
        }
        int n = arms.length;
        arms = Arrays.copyOf(arms, n + 1);
        exposed = Arrays.copyOf(exposed, n + 1);
        converted = Arrays.copyOf(converted, n + 1);
        arms[n] = arm;
        return n;
    }

    /**
     * A copy with {@link #controlArm} and the shares of {@code config} (null: the experiment is not
     * in the rules in force) for every arm counted or configured.
     */
    public ExperimentTotals publishedUnder(Experiment config) {
        ExperimentTotals c = new ExperimentTotals(experiment, salt, firstSeen);
        c.arms = arms.clone();
        c.exposed = exposed.clone();
        c.converted = converted.clone();
        c.controlArm =
                config != null
                        ? config.controlArm
                        : Experiment.PROGRAM.equals(experiment)
                                ? Experiment.HOLDOUT
                                : Experiment.CONTROL;
        LinkedHashSet<String> all = new LinkedHashSet<>(List.of(arms));
        if (config != null) {
            all.addAll(config.arms());
        }
        c.shareArms = all.toArray(new String[0]);
        c.shares = new int[c.shareArms.length];
        for (int i = 0; i < c.shareArms.length; i++) {
            c.shares[i] = config == null ? 0 : config.shareOf(c.shareArms[i]);
        }
        return c;
    }

    public long exposedOf(String arm) {
        for (int i = 0; i < arms.length; i++) {
            if (arms[i].equals(arm)) {
                return exposed[i];
            }
        }
        return 0;
    }

    public long convertedOf(String arm) {
        for (int i = 0; i < arms.length; i++) {
            if (arms[i].equals(arm)) {
                return converted[i];
            }
        }
        return 0;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(experiment).append('/').append(salt);
        for (int i = 0; i < arms.length; i++) {
            b.append(' ')
                    .append(arms[i])
                    .append(' ')
                    .append(converted[i])
                    .append('/')
                    .append(exposed[i]);
        }
        return b.toString();
    }
}
