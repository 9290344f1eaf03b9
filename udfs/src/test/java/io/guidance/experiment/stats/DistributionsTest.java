package io.guidance.experiment.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.data.Percentage.withPercentage;

import org.junit.jupiter.api.Test;

/**
 * Reference values from Python's math.erfc and the closed forms of the chi-square tail: df=1
 * erfc(sqrt(x/2)), df=2 exp(-x/2), df=3 erfc(sqrt(x/2)) + sqrt(2x/pi) exp(-x/2).
 */
class DistributionsTest {

    @Test
    void normalCdfMatchesErfc() {
        assertThat(Distributions.normalCdf(0)).isEqualTo(0.5);
        assertThat(Distributions.normalCdf(1.0)).isCloseTo(0.8413447460685429, within(1e-14));
        assertThat(Distributions.normalCdf(3.0)).isCloseTo(0.9986501019683699, within(1e-14));
        assertThat(Distributions.normalCdf(-1.959964))
                .isCloseTo(0.02499999909644241, within(1e-14));
        // Far in the tail: relative accuracy, not just absolute
        assertThat(Distributions.normalCdf(-8.0))
                .isCloseTo(6.220960574271819e-16, withPercentage(1e-9));
    }

    @Test
    void twoSidedPValueOfAZStatistic() {
        assertThat(Distributions.normalTwoSided(1.959964)).isCloseTo(0.05, within(1e-8));
        assertThat(Distributions.normalTwoSided(-1.959964)).isCloseTo(0.05, within(1e-8));
        assertThat(Distributions.normalTwoSided(0)).isEqualTo(1.0);
        // 2 * 7.619853024160593e-24
        assertThat(Distributions.normalTwoSided(10))
                .isCloseTo(1.5239706048321186e-23, withPercentage(1e-9));
    }

    @Test
    void chiSquareTailOneDegreeOfFreedom() {
        // erfc(sqrt(3.841458820694124 / 2)) = 0.05
        assertThat(Distributions.chiSquareUpperTail(3.841458820694124, 1))
                .isCloseTo(0.05, within(1e-13));
        // 50/50 configured, 1000 vs 1200 exposed: chi2 = 200/11
        assertThat(Distributions.chiSquareUpperTail(200.0 / 11, 1))
                .isCloseTo(2.007865612426481e-05, withPercentage(1e-9));
    }

    @Test
    void chiSquareTailTwoDegreesOfFreedom() {
        for (double x : new double[] {0.1, 2, 7.5, 30, 200}) {
            assertThat(Distributions.chiSquareUpperTail(x, 2))
                    .isCloseTo(Math.exp(-x / 2), withPercentage(1e-9));
        }
    }

    @Test
    void chiSquareTailThreeDegreesOfFreedom() {
        assertThat(Distributions.chiSquareUpperTail(1.0, 3))
                .isCloseTo(0.8012519569012008, within(1e-14));
        assertThat(Distributions.chiSquareUpperTail(7.814727903251178, 3))
                .isCloseTo(0.05, within(1e-13));
        assertThat(Distributions.chiSquareUpperTail(20.0, 3))
                .isCloseTo(0.00016974243555282643, withPercentage(1e-9));
    }

    @Test
    void chiSquareTailEdges() {
        assertThat(Distributions.chiSquareUpperTail(0, 1)).isEqualTo(1.0);
        assertThat(Distributions.chiSquareUpperTail(Double.POSITIVE_INFINITY, 4)).isEqualTo(0.0);
        assertThatThrownBy(() -> Distributions.chiSquareUpperTail(1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("degrees of freedom");
    }

    @Test
    void lnGammaOfKnownValues() {
        assertThat(Distributions.lnGamma(0.5)).isCloseTo(0.5 * Math.log(Math.PI), within(1e-14));
        assertThat(Distributions.lnGamma(1)).isCloseTo(0, within(1e-14));
        assertThat(Distributions.lnGamma(5)).isCloseTo(Math.log(24), within(1e-13));
        assertThat(Distributions.lnGamma(10.5))
                .isCloseTo(Math.log(1133278.3889487854), within(1e-12)); // Gamma(10.5)
    }
}
