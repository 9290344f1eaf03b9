package io.guidance.experiment.stats;

import java.util.Arrays;
import java.util.Objects;

/**
 * A variant (or {@code treated}) against the control arm (or {@code holdout}), SPEC section 7.
 *
 * @param diff r_v - r_c
 * @param ci95 {low, high}: the fixed-sample 95% interval of diff
 * @param lift diff / r_c; null when r_c = 0
 * @param pValue two-sided pooled z-test; null when the pooled standard error is 0
 * @param significant pValue < 0.05, no SRM, and both arms have enough users and conversions
 * @param alwaysValid95 {low, high}: the 95% confidence sequence of diff, valid however often read
 */
public record Comparison(
        String arm,
        String vs,
        double diff,
        double[] ci95,
        Double lift,
        Double pValue,
        boolean significant,
        double[] alwaysValid95) {

    // A record compares arrays by identity; results are compared by value
    @Override
    public boolean equals(Object o) {
        return o instanceof Comparison c
                && arm.equals(c.arm)
                && vs.equals(c.vs)
                && Double.compare(diff, c.diff) == 0
                && Arrays.equals(ci95, c.ci95)
                && Objects.equals(lift, c.lift)
                && Objects.equals(pValue, c.pValue)
                && significant == c.significant
                && Arrays.equals(alwaysValid95, c.alwaysValid95);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                arm,
                vs,
                diff,
                Arrays.hashCode(ci95),
                lift,
                pValue,
                significant,
                Arrays.hashCode(alwaysValid95));
    }

    @Override
    public String toString() {
        return "Comparison["
                + arm
                + " vs "
                + vs
                + " diff="
                + diff
                + " ci95="
                + Arrays.toString(ci95)
                + " lift="
                + lift
                + " pValue="
                + pValue
                + " significant="
                + significant
                + " alwaysValid95="
                + Arrays.toString(alwaysValid95)
                + ']';
    }
}
