package io.guidance.experiment.stats;

import java.util.List;

/**
 * The results of one experiment (SPEC section 7): every arm as written, and each compared arm
 * against the control arm.
 *
 * @param srmPValue chi-square goodness of fit of exposed against the configured shares; null with
 *     fewer than 2 arms of share > 0 or no exposure
 * @param srm srmPValue < 0.001: the split is broken and no comparison is significant
 */
public record ExperimentResult(
        String experiment,
        String salt,
        Double srmPValue,
        boolean srm,
        List<ArmResult> arms,
        List<Comparison> comparisons) {
    public ExperimentResult {
        arms = List.copyOf(arms);
        comparisons = List.copyOf(comparisons);
    }
}
