package io.guidance.discover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** SPEC section 8's figures, bands and flag, against 2x2 tables worked out by hand. */
class CellTest {

    @Test
    void figuresOfATable() {
        // n = 100; above 40, below 60, retained 50, not retained 50
        Cell c = Cell.of("purchase", 3, 7, 30, 10, 20, 40);
        // (30*40 - 10*20) / sqrt(40*60*50*50) = 1000 / sqrt(6,000,000) = 0.4082483
        assertThat(c.phi()).isCloseTo(0.4082483, within(1e-7));
        assertThat(c.shareAbove()).isEqualTo(0.4);
        assertThat(c.ppv()).isEqualTo(0.75);
        assertThat(c.sensitivity()).isEqualTo(0.6);
        assertThat(c.specificity()).isEqualTo(0.8);
        assertThat(c.npv()).isCloseTo(2 / 3.0, within(1e-12));
        assertThat(c.users()).isEqualTo(100);
        assertThat(c.retentionAbove()).isEqualTo(0.75);
        assertThat(c.retentionBelow()).isCloseTo(1 / 3.0, within(1e-12));
        assertThat(c.band()).isEqualTo(Cell.Band.HIGHLY_PREDICTIVE);
        assertThat(c.flagged()).isFalse();
    }

    @Test
    void negativeAssociationHasNegativePhi() {
        // the swap of the retained column: phi changes sign
        Cell c = Cell.of("page_view", 1, 1, 10, 30, 40, 20);
        assertThat(c.phi()).isCloseTo(-0.4082483, within(1e-7));
        assertThat(c.band()).isEqualTo(Cell.Band.NOT_PREDICTIVE);
    }

    @Test
    void nobodyAboveTheThreshold() {
        // above margin 0: phi 0, ppv absent
        Cell c = Cell.of("purchase", 5, 1, 0, 0, 5, 5);
        assertThat(c.phi()).isZero();
        assertThat(c.shareAbove()).isZero();
        assertThat(c.ppv()).isNull();
        assertThat(c.sensitivity()).isZero();
        assertThat(c.specificity()).isEqualTo(1.0);
        assertThat(c.npv()).isEqualTo(0.5);
        assertThat(c.retentionAbove()).isNull();
        assertThat(c.flagged()).isTrue();
    }

    @Test
    void everybodyRetained() {
        // not-retained margin 0: phi 0, specificity absent, npv present (0 of 2)
        Cell c = Cell.of("purchase", 1, 1, 3, 0, 2, 0);
        assertThat(c.phi()).isZero();
        assertThat(c.specificity()).isNull();
        assertThat(c.npv()).isZero();
        assertThat(c.ppv()).isEqualTo(1.0);
        assertThat(c.sensitivity()).isEqualTo(0.6);
    }

    @Test
    void nobodyRetainedAndEverybodyAbove() {
        Cell c = Cell.of("purchase", 1, 1, 0, 4, 0, 0);
        assertThat(c.phi()).isZero();
        assertThat(c.shareAbove()).isEqualTo(1.0);
        assertThat(c.ppv()).isZero();
        assertThat(c.sensitivity()).isNull();
        assertThat(c.specificity()).isZero();
        assertThat(c.npv()).isNull();
        assertThat(c.retentionBelow()).isNull();
        assertThat(c.flagged()).isTrue();
    }

    @Test
    void emptyCohort() {
        Cell c = Cell.of("purchase", 1, 1, 0, 0, 0, 0);
        assertThat(c.phi()).isZero();
        assertThat(c.shareAbove()).isZero();
        assertThat(c.ppv()).isNull();
        assertThat(c.sensitivity()).isNull();
        assertThat(c.specificity()).isNull();
        assertThat(c.npv()).isNull();
    }

    @Test
    void bandsAtTheirLowerEdges() {
        // symmetric tables n11 = n00 = a, n10 = n01 = b have phi = (a - b) / (a + b) exactly
        assertThat(symmetric(7, 3).phi()).isEqualTo(0.4);
        assertThat(symmetric(7, 3).band()).isEqualTo(Cell.Band.HIGHLY_PREDICTIVE);
        assertThat(symmetric(69, 31).phi()).isEqualTo(0.38);
        assertThat(symmetric(69, 31).band()).isEqualTo(Cell.Band.MODERATE);
        assertThat(symmetric(13, 7).phi()).isEqualTo(0.3);
        assertThat(symmetric(13, 7).band()).isEqualTo(Cell.Band.MODERATE);
        assertThat(symmetric(6, 4).phi()).isEqualTo(0.2);
        assertThat(symmetric(6, 4).band()).isEqualTo(Cell.Band.SLIGHT);
        assertThat(symmetric(11, 9).phi()).isCloseTo(0.1, within(1e-12));
        assertThat(symmetric(11, 9).band()).isEqualTo(Cell.Band.NOT_PREDICTIVE);
        assertThat(Cell.Band.MODERATE.label).isEqualTo("moderate");
    }

    @Test
    void flagAtTheFiveAndNinetyFivePercentEdges() {
        // 100 users; shareAbove = (n11 + n10) / 100
        assertThat(Cell.of("a", 1, 1, 2, 2, 48, 48).flagged()).isTrue(); // 4%
        assertThat(Cell.of("a", 1, 1, 3, 2, 47, 48).flagged()).isFalse(); // exactly 5%
        assertThat(Cell.of("a", 1, 1, 48, 47, 2, 3).flagged()).isFalse(); // exactly 95%
        assertThat(Cell.of("a", 1, 1, 48, 48, 2, 2).flagged()).isTrue(); // 96%
        assertThat(Cell.of("a", 1, 1, 3, 2, 47, 48).shareAbove()).isEqualTo(0.05);
        assertThat(Cell.of("a", 1, 1, 48, 47, 2, 3).shareAbove()).isEqualTo(0.95);
    }

    private static Cell symmetric(long a, long b) {
        return Cell.of("a", 1, 1, a, b, b, a);
    }
}
