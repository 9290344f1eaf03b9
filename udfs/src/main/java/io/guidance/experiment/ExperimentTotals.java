package io.guidance.experiment;

import java.util.Arrays;

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
