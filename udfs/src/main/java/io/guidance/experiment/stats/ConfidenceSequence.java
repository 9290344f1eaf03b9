package io.guidance.experiment.stats;

/**
 * The always-valid interval of a difference of means: the two-sided asymptotic confidence sequence
 * of Waudby-Smith, Arbour, Sinha, Kennedy and Ramdas ("Time-uniform central limit theory and
 * asymptotic confidence sequences", Annals of Statistics 2024, Theorem 2.2) with the normal mixture
 * boundary, in the parametrization GrowthBook documents. For {@code n} observations whose
 * per-observation variance is {@code s2}, the half-width is
 *
 * <pre>
 *   sqrt(s2) * sqrt( 2 (n rho^2 + 1) / (n^2 rho^2) * ln( sqrt(n rho^2 + 1) / alpha ) )
 * </pre>
 *
 * with {@code rho^2 = (-2 ln alpha + ln(-2 ln alpha + 1)) / nStar}, which makes the boundary
 * tightest near {@code n = nStar}. Reading it at every n keeps the miscoverage below alpha,
 * asymptotically, however often it is read (docs/experiments.md, "Statistics").
 */
public final class ConfidenceSequence {
    /** The size at which the boundary is tightest: total exposed users of a comparison. */
    public static final double PLANNED_SAMPLE_SIZE = 10_000;

    public static final double ALPHA = 0.05;

    private ConfidenceSequence() {}

    /** rho^2 for a boundary tightest at {@code nStar} observations. */
    public static double rhoSquared(double alpha, double nStar) {
        double twoLn = -2 * Math.log(alpha);
        return (twoLn + Math.log(twoLn + 1)) / nStar;
    }

    /**
     * The half-width for {@code n >= 1} observations of per-observation variance {@code s2}.
     *
     * @param s2 n times the variance of the estimate (for a difference of two proportions: {@code n
     *     * (r_v(1 - r_v)/n_v + r_c(1 - r_c)/n_c)} with {@code n = n_v + n_c})
     */
    public static double halfWidth(double s2, double n, double alpha, double nStar) {
        if (!(n >= 1) || !(s2 >= 0) || !(alpha > 0 && alpha < 1) || !(nStar > 0)) {
            throw new IllegalArgumentException(
                    "halfWidth needs n >= 1, s2 >= 0, 0 < alpha < 1, nStar > 0: n="
                            + n
                            + " s2="
                            + s2
                            + " alpha="
                            + alpha
                            + " nStar="
                            + nStar);
        }
        double rho2 = rhoSquared(alpha, nStar);
        double nRho2 = n * rho2;
        double radicand = 2 * (nRho2 + 1) / (n * nRho2) * Math.log(Math.sqrt(nRho2 + 1) / alpha);
        return Math.sqrt(s2) * Math.sqrt(radicand);
    }

    /** The 95% half-width tuned for {@link #PLANNED_SAMPLE_SIZE}. */
    public static double halfWidth95(double s2, double n) {
        return halfWidth(s2, n, ALPHA, PLANNED_SAMPLE_SIZE);
    }
}
