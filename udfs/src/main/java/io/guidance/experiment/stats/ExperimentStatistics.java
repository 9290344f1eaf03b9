package io.guidance.experiment.stats;

import io.guidance.experiment.Experiment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The results of an experiment from its counts (SPEC section 7, "Results"): rates, each arm against
 * the control arm (difference, 95% interval, lift, pooled z-test, always-valid interval), the
 * sample ratio mismatch test and the significance verdict. Pure arithmetic, no I/O.
 */
public final class ExperimentStatistics {
    /** The normal quantile of a two-sided 95% interval, as the SPEC writes it. */
    public static final double Z95 = 1.959964;

    public static final double SIGNIFICANCE_LEVEL = 0.05;

    /** Below this the split of users is broken (sample ratio mismatch). */
    public static final double SRM_LEVEL = 0.001;

    /** Per compared arm, for the normal approximation to be trusted. */
    public static final long MIN_EXPOSED = 100;

    public static final long MIN_CONVERTED = 5;
    public static final long MIN_NOT_CONVERTED = 5;

    private ExperimentStatistics() {}

    /**
     * @param arms in written order (variants, then the control arm); an arm with share 0 or no
     *     exposure is listed but not compared
     * @param controlArm {@code control} for a rule, {@code holdout} for the program
     */
    public static ExperimentResult analyse(
            String experiment, String salt, String controlArm, List<ArmCounts> arms) {
        if (experiment == null || salt == null || controlArm == null || arms == null) {
            throw new IllegalArgumentException(
                    "analyse needs an experiment, a salt, a control arm and the arms");
        }
        Set<String> names = new HashSet<>();
        ArmCounts control = null;
        List<ArmResult> armResults = new ArrayList<>(arms.size());
        for (ArmCounts a : arms) {
            if (a == null) {
                throw new IllegalArgumentException(experiment + ": an arm is null");
            }
            if (!names.add(a.arm())) {
                throw new IllegalArgumentException(experiment + ": arm listed twice: " + a.arm());
            }
            if (a.arm().equals(controlArm)) {
                control = a;
            }
            Double rate = a.exposed() == 0 ? null : (double) a.converted() / a.exposed();
            armResults.add(new ArmResult(a.arm(), a.share(), a.exposed(), a.converted(), rate));
        }

        Double srmPValue = srmPValue(arms);
        boolean srm = srmPValue != null && srmPValue < SRM_LEVEL;

        List<Comparison> comparisons = new ArrayList<>();
        if (control != null && comparable(control)) {
            for (ArmCounts a : arms) {
                if (a != control && comparable(a)) {
                    comparisons.add(compare(a, control, srm));
                }
            }
        }
        return new ExperimentResult(experiment, salt, srmPValue, srm, armResults, comparisons);
    }

    /**
     * The results of a configured experiment from its counts per arm (users exposed, users of those
     * converted; a missing arm counts 0).
     */
    public static ExperimentResult analyse(
            Experiment x, Map<String, Long> exposed, Map<String, Long> converted) {
        return analyse(x.name, x.salt, x.controlArm, armsOf(x, exposed, converted));
    }

    /**
     * The configured arms in written order with their shares, then any other arm the counts name
     * (an arm since removed from the configuration: share 0, so listed but not compared), by name.
     */
    public static List<ArmCounts> armsOf(
            Experiment x, Map<String, Long> exposed, Map<String, Long> converted) {
        List<ArmCounts> arms = new ArrayList<>();
        for (String arm : x.arms()) {
            arms.add(counts(arm, x.shareOf(arm), exposed, converted));
        }
        Set<String> others = new TreeSet<>(exposed.keySet());
        others.addAll(converted.keySet());
        others.removeAll(x.arms());
        for (String arm : others) {
            arms.add(counts(arm, 0, exposed, converted));
        }
        return arms;
    }

    private static ArmCounts counts(
            String arm, int share, Map<String, Long> exposed, Map<String, Long> converted) {
        return new ArmCounts(
                arm, share, exposed.getOrDefault(arm, 0L), converted.getOrDefault(arm, 0L));
    }

    private static boolean comparable(ArmCounts a) {
        return a.share() > 0 && a.exposed() > 0;
    }

    /** One arm against the control; both have exposure. */
    static Comparison compare(ArmCounts v, ArmCounts c, boolean srm) {
        double nv = v.exposed();
        double nc = c.exposed();
        double rv = v.converted() / nv;
        double rc = c.converted() / nc;
        double diff = rv - rc;

        double variance = rv * (1 - rv) / nv + rc * (1 - rc) / nc;
        double se = Math.sqrt(variance);
        double[] ci95 = {diff - Z95 * se, diff + Z95 * se};

        Double lift = c.converted() == 0 ? null : diff / rc;

        double pooled = (double) (v.converted() + c.converted()) / (nv + nc);
        double pooledSe = Math.sqrt(pooled * (1 - pooled) * (1 / nv + 1 / nc));
        Double pValue = pooledSe == 0 ? null : Distributions.normalTwoSided(diff / pooledSe);

        // The confidence sequence counts the comparison's observations, both arms together
        double n = nv + nc;
        double half = ConfidenceSequence.halfWidth95(n * variance, n);
        double[] alwaysValid95 = {diff - half, diff + half};

        boolean significant =
                pValue != null
                        && pValue < SIGNIFICANCE_LEVEL
                        && !srm
                        && largeEnough(v)
                        && largeEnough(c);
        return new Comparison(
                v.arm(), c.arm(), diff, ci95, lift, pValue, significant, alwaysValid95);
    }

    private static boolean largeEnough(ArmCounts a) {
        return a.exposed() >= MIN_EXPOSED
                && a.converted() >= MIN_CONVERTED
                && a.exposed() - a.converted() >= MIN_NOT_CONVERTED;
    }

    /**
     * Chi-square goodness of fit of the arms' exposed users against their configured shares, over
     * the arms with share > 0 (df = those arms - 1); null with fewer than 2 such arms or none
     * exposed.
     */
    static Double srmPValue(List<ArmCounts> arms) {
        long exposed = 0;
        long shares = 0;
        int count = 0;
        for (ArmCounts a : arms) {
            if (a.share() > 0) {
                exposed += a.exposed();
                shares += a.share();
                count++;
            }
        }
        if (count < 2 || exposed == 0) {
            return null;
        }
        double chiSquare = 0;
        for (ArmCounts a : arms) {
            if (a.share() > 0) {
                double expected = (double) exposed * a.share() / shares;
                double gap = a.exposed() - expected;
                chiSquare += gap * gap / expected;
            }
        }
        return Distributions.chiSquareUpperTail(chiSquare, count - 1);
    }
}
