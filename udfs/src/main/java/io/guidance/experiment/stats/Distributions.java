package io.guidance.experiment.stats;

/**
 * The few distribution functions the results need, built on the regularized incomplete gamma
 * function: the standard normal CDF ({@code erfc(x) = Q(1/2, x^2)}) and the chi-square upper tail
 * ({@code Q(df/2, x/2)}). Series and continued fraction as in Numerical Recipes (section 6.2),
 * {@code ln Gamma} by Lanczos (g = 7, 9 terms); relative accuracy about 1e-14, also far in the
 * tails, where {@code 1 - cdf} would lose every digit.
 */
public final class Distributions {
    private static final double EPSILON = 1e-16;
    private static final double TINY = 1e-300;
    private static final int MAX_ITERATIONS = 10_000;

    private static final double[] LANCZOS = {
        0.99999999999980993,
        676.5203681218851,
        -1259.1392167224028,
        771.32342877765313,
        -176.61502916214059,
        12.507343278686905,
        -0.13857109526572012,
        9.9843695780195716e-6,
        1.5056327351493116e-7
    };
    private static final double HALF_LN_2PI = 0.5 * Math.log(2 * Math.PI);

    private Distributions() {}

    /** P(Z <= x) for a standard normal Z. */
    public static double normalCdf(double x) {
        double tail = 0.5 * regularizedGammaQ(0.5, x * x / 2);
        return x < 0 ? tail : 1 - tail;
    }

    /** P(|Z| >= |z|) for a standard normal Z: the two-sided p-value of a z statistic. */
    public static double normalTwoSided(double z) {
        return regularizedGammaQ(0.5, z * z / 2);
    }

    /** P(X >= x) for X chi-square distributed with {@code df} degrees of freedom. */
    public static double chiSquareUpperTail(double x, int df) {
        if (df < 1) {
            throw new IllegalArgumentException("degrees of freedom must be >= 1, not " + df);
        }
        return x <= 0 ? 1 : regularizedGammaQ(df / 2.0, x / 2);
    }

    /** ln Gamma(x) for x >= 0.5 (all this class needs). */
    static double lnGamma(double x) {
        if (!(x >= 0.5)) {
            throw new IllegalArgumentException("lnGamma needs x >= 0.5, not " + x);
        }
        double y = x - 1;
        double sum = LANCZOS[0];
        for (int i = 1; i < LANCZOS.length; i++) {
            sum += LANCZOS[i] / (y + i);
        }
        double t = y + 7.5;
        return HALF_LN_2PI + (y + 0.5) * Math.log(t) - t + Math.log(sum);
    }

    /** The regularized upper incomplete gamma function Q(a, x) = Gamma(a, x) / Gamma(a). */
    static double regularizedGammaQ(double a, double x) {
        if (!(a > 0) || !(x >= 0)) {
            throw new IllegalArgumentException(
                    "Q(a, x) needs a > 0 and x >= 0: a=" + a + " x=" + x);
        }
        if (x == 0) {
            return 1;
        }
        if (Double.isInfinite(x)) {
            return 0;
        }
        // The series converges fast below a + 1, the continued fraction above it
        return x < a + 1 ? 1 - lowerSeries(a, x) : upperContinuedFraction(a, x);
    }

    /** P(a, x) by its series. */
    private static double lowerSeries(double a, double x) {
        double term = 1 / a;
        double sum = term;
        for (int n = 1; n < MAX_ITERATIONS; n++) {
            term *= x / (a + n);
            sum += term;
            if (Math.abs(term) < Math.abs(sum) * EPSILON) {
                return sum * Math.exp(-x + a * Math.log(x) - lnGamma(a));
            }
        }
        throw new ArithmeticException("the gamma series did not converge: a=" + a + " x=" + x);
    }

    /** Q(a, x) by its continued fraction, evaluated with the modified Lentz method. */
    private static double upperContinuedFraction(double a, double x) {
        double b = x + 1 - a;
        double c = 1 / TINY;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i < MAX_ITERATIONS; i++) {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.abs(d) < TINY) {
                d = TINY;
            }
            c = b + an / c;
            if (Math.abs(c) < TINY) {
                c = TINY;
            }
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1) < EPSILON) {
                return Math.exp(-x + a * Math.log(x) - lnGamma(a)) * h;
            }
        }
        throw new ArithmeticException("the gamma fraction did not converge: a=" + a + " x=" + x);
    }
}
