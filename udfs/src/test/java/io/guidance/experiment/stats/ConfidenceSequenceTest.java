package io.guidance.experiment.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * The documented formula (docs/experiments.md, "Statistics"): half-width = sqrt(s2) * sqrt(2(n
 * rho^2 + 1)/(n^2 rho^2) * ln(sqrt(n rho^2 + 1)/alpha)), rho^2 = (-2 ln alpha + ln(-2 ln alpha +
 * 1))/nStar; reference values from Python.
 */
class ConfidenceSequenceTest {

    @Test
    void rhoIsTunedForThePlannedSampleSize() {
        assertThat(ConfidenceSequence.rhoSquared(0.05, 10_000))
                .isCloseTo(0.0007936154601737565, within(1e-18));
    }

    @Test
    void halfWidthOfUnitVariance() {
        assertThat(ConfidenceSequence.halfWidth95(1, 100))
                .isCloseTo(0.9084379437310579, within(1e-13));
        assertThat(ConfidenceSequence.halfWidth95(1, 10_000))
                .isCloseTo(0.030352089903762532, within(1e-14));
        assertThat(ConfidenceSequence.halfWidth95(1, 1_000_000))
                .isCloseTo(0.0035616410409189, within(1e-15));
    }

    @Test
    void scalesWithTheStandardDeviation() {
        assertThat(ConfidenceSequence.halfWidth95(4, 500))
                .isCloseTo(2 * ConfidenceSequence.halfWidth95(1, 500), within(1e-15));
    }

    @Test
    void alwaysWiderThanTheFixedSampleInterval() {
        // half / (z sqrt(s2/n)) = sqrt(f) / z with f > 2 ln(1/alpha) = 5.99 > z^2 = 3.84
        for (double n = 1; n < 1e9; n *= 1.7) {
            double fixed = ExperimentStatistics.Z95 * Math.sqrt(1 / n);
            assertThat(ConfidenceSequence.halfWidth95(1, n)).isGreaterThan(1.2 * fixed);
        }
    }

    @Test
    void shrinksLikeRootLogNOverN() {
        // n * half^2 = (1 + 1/x)(ln(1 + x) + 2 ln(1/alpha)) with x = n rho^2: over ln(n) it tends
        // to 1
        double atMillion =
                1e6 * Math.pow(ConfidenceSequence.halfWidth95(1, 1e6), 2) / Math.log(1e6);
        double atBillion =
                1e9 * Math.pow(ConfidenceSequence.halfWidth95(1, 1e9), 2) / Math.log(1e9);
        assertThat(ConfidenceSequence.halfWidth95(1, 1e9))
                .isLessThan(ConfidenceSequence.halfWidth95(1, 1e6));
        assertThat(atMillion).isBetween(0.85, 1.0);
        assertThat(atBillion).isBetween(atMillion, 1.0);
    }

    @Test
    void refusesBadArguments() {
        assertThatThrownBy(() -> ConfidenceSequence.halfWidth95(1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("n >= 1");
        assertThatThrownBy(() -> ConfidenceSequence.halfWidth(1, 10, 1.5, 100))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
