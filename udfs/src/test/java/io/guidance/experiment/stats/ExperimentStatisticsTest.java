package io.guidance.experiment.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.data.Percentage.withPercentage;

import io.guidance.experiment.Experiment;
import io.guidance.rules.Matcher;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SPEC section 7, "Results". Expected values computed by hand from the SPEC's formulas (Python
 * math.erfc for the normal and df=1 chi-square tails), typed in here.
 */
class ExperimentStatisticsTest {
    static final String CONTROL = "control";

    /** Goals play no part in the statistics. */
    static final Matcher GOAL = new Matcher(Map.of());

    static ExperimentResult rule(ArmCounts... arms) {
        return ExperimentStatistics.analyse("cart-stall", "cart-stall", CONTROL, List.of(arms));
    }

    static ArmCounts arm(String name, int share, long exposed, long converted) {
        return new ArmCounts(name, share, exposed, converted);
    }

    @Test
    void twoArmsDiffIntervalLiftAndPValue() {
        // 120/1000 vs 100/1000: diff 0.02, se sqrt(.12*.88/1000 + .1*.9/1000), lift 0.2,
        // pooled p .11, z = .02 / sqrt(.11*.89*2/1000)
        ExperimentResult r = rule(arm("cart-reminder", 50, 1000, 120), arm(CONTROL, 50, 1000, 100));

        assertThat(r.arms())
                .containsExactly(
                        new ArmResult("cart-reminder", 50, 1000, 120, 0.12),
                        new ArmResult(CONTROL, 50, 1000, 100, 0.1));
        assertThat(r.srmPValue()).isEqualTo(1.0); // exactly the configured split
        assertThat(r.srm()).isFalse();
        assertThat(r.comparisons()).hasSize(1);
        Comparison c = r.comparisons().get(0);
        assertThat(c.arm()).isEqualTo("cart-reminder");
        assertThat(c.vs()).isEqualTo(CONTROL);
        assertThat(c.diff()).isCloseTo(0.02, within(1e-15));
        assertThat(c.ci95()[0]).isCloseTo(-0.007411482214238218, within(1e-14));
        assertThat(c.ci95()[1]).isCloseTo(0.0474114822142382, within(1e-14));
        assertThat(c.lift()).isCloseTo(0.2, within(1e-14));
        assertThat(c.pValue()).isCloseTo(0.1529177818639462, within(1e-13));
        assertThat(c.significant()).isFalse(); // p > 0.05
        // Confidence sequence, n = 2000, s2 = n * se^2, tuned for 10,000
        assertThat(c.alwaysValid95()[0]).isCloseTo(-0.02704634807883663, within(1e-14));
        assertThat(c.alwaysValid95()[1]).isCloseTo(0.06704634807883661, within(1e-14));
    }

    @Test
    void aClearWinIsSignificantAndItsAlwaysValidIntervalIsWider() {
        ExperimentResult r = rule(arm("cart-reminder", 50, 1000, 150), arm(CONTROL, 50, 1000, 100));
        Comparison c = r.comparisons().get(0);
        assertThat(c.pValue()).isCloseTo(0.0007232327164301955, withPercentage(1e-9));
        assertThat(c.lift()).isCloseTo(0.5, within(1e-14));
        assertThat(c.significant()).isTrue();
        assertThat(c.ci95()[0]).isCloseTo(0.021094683764368176, within(1e-14));
        assertThat(c.alwaysValid95()[0]).isCloseTo(0.0003897834373939382, within(1e-14));
        assertThat(c.alwaysValid95()[1]).isCloseTo(0.09961021656260605, within(1e-14));
        assertThat(c.alwaysValid95()[0]).isLessThan(c.ci95()[0]);
        assertThat(c.alwaysValid95()[1]).isGreaterThan(c.ci95()[1]);
    }

    @Test
    void zeroRateControlHasNoLift() {
        ExperimentResult r = rule(arm("cart-reminder", 50, 400, 30), arm(CONTROL, 50, 400, 0));
        Comparison c = r.comparisons().get(0);
        assertThat(c.lift()).isNull();
        assertThat(c.diff()).isCloseTo(0.075, within(1e-15));
        assertThat(c.ci95()[0]).isCloseTo(0.04918812240992966, within(1e-14));
        assertThat(c.pValue()).isCloseTo(2.3653360626807586e-08, withPercentage(1e-8));
        // control has fewer than 5 conversions
        assertThat(c.significant()).isFalse();
    }

    @Test
    void noConversionAnywhereHasNoPValue() {
        Comparison c =
                rule(arm("cart-reminder", 50, 300, 0), arm(CONTROL, 50, 300, 0))
                        .comparisons()
                        .get(0);
        assertThat(c.diff()).isZero();
        assertThat(c.pValue()).isNull();
        assertThat(c.lift()).isNull();
        assertThat(c.ci95()).containsExactly(0.0, 0.0);
        assertThat(c.alwaysValid95()).containsExactly(0.0, 0.0);
        assertThat(c.significant()).isFalse();
    }

    @Test
    void zeroShareArmIsListedButNeitherComparedNorInTheSrmTest() {
        // 40/40/20 of 2500 with 1000, 1050, 450: expected 1000, 1000, 500; chi2 = 0 + 2.5 + 5 =
        // 7.5,
        // df 2, p = exp(-7.5/2)
        ExperimentResult r =
                rule(
                        arm("cart-reminder", 40, 1000, 100),
                        arm("retired-guide", 0, 300, 40),
                        arm("cart-reminder-short", 40, 1050, 110),
                        arm(CONTROL, 20, 450, 40));
        assertThat(r.arms())
                .extracting(ArmResult::arm)
                .containsExactly("cart-reminder", "retired-guide", "cart-reminder-short", CONTROL);
        assertThat(r.arms().get(1).rate()).isCloseTo(40.0 / 300, within(1e-15));
        assertThat(r.comparisons())
                .extracting(Comparison::arm)
                .containsExactly("cart-reminder", "cart-reminder-short");
        assertThat(r.srmPValue()).isCloseTo(Math.exp(-7.5 / 2), within(1e-14));
        assertThat(r.srmPValue()).isCloseTo(0.023517745856009107, within(1e-14));
        assertThat(r.srm()).isFalse();
    }

    @Test
    void armWithoutExposureIsListedWithoutRateAndCountsInTheSrmTest() {
        // 40/40/20 with 0, 800, 200 exposed: expected 400, 400, 200; chi2 = 400 + 400 + 0
        ExperimentResult r =
                rule(
                        arm("cart-reminder", 40, 0, 0),
                        arm("cart-reminder-short", 40, 800, 80),
                        arm(CONTROL, 20, 200, 20));
        assertThat(r.arms().get(0)).isEqualTo(new ArmResult("cart-reminder", 40, 0, 0, null));
        assertThat(r.comparisons())
                .extracting(Comparison::arm)
                .containsExactly("cart-reminder-short");
        assertThat(r.srmPValue()).isCloseTo(Math.exp(-800.0 / 2), withPercentage(1e-8));
        assertThat(r.srm()).isTrue();
    }

    @Test
    void controlWithoutExposureMeansNoComparison() {
        ExperimentResult r = rule(arm("cart-reminder", 80, 50, 5), arm(CONTROL, 20, 0, 0));
        assertThat(r.comparisons()).isEmpty();
        assertThat(r.arms().get(1).rate()).isNull();
    }

    @Test
    void noExposureOrASingleSharedArmHasNoSrmTest() {
        assertThat(rule(arm("cart-reminder", 50, 0, 0), arm(CONTROL, 50, 0, 0)).srmPValue())
                .isNull();
        ExperimentResult single = rule(arm("cart-reminder", 100, 500, 50), arm(CONTROL, 0, 9, 1));
        assertThat(single.srmPValue()).isNull();
        assertThat(single.srm()).isFalse();
        assertThat(single.comparisons()).isEmpty(); // the control has share 0
    }

    @Test
    void sampleRatioMismatchBlocksSignificance() {
        // 50/50 configured, 1200 vs 1000 exposed: chi2 = (100^2 + 100^2) / 1100 = 200/11, df 1,
        // p = erfc(sqrt(100/11))
        ExperimentResult r = rule(arm("cart-reminder", 50, 1200, 240), arm(CONTROL, 50, 1000, 100));
        assertThat(r.srmPValue()).isCloseTo(2.007865612426481e-05, withPercentage(1e-8));
        assertThat(r.srm()).isTrue();
        Comparison c = r.comparisons().get(0);
        assertThat(c.pValue()).isCloseTo(1.0394899257144719e-10, withPercentage(1e-7));
        assertThat(c.significant()).isFalse();
    }

    @Test
    void srmIsSymmetricInTheArmOrder() {
        ExperimentResult r = rule(arm("cart-reminder", 50, 1000, 100), arm(CONTROL, 50, 1200, 120));
        assertThat(r.srmPValue()).isCloseTo(2.007865612426481e-05, withPercentage(1e-8));
    }

    @Test
    void minimumSampleRule() {
        // Shares 9/91 match 99-100 vs 1000 exposed, so the SRM test passes and only the size counts
        ArmCounts control = arm(CONTROL, 91, 1000, 150);
        ExperimentResult small = rule(arm("cart-reminder", 9, 99, 30), control);
        assertThat(small.srm()).isFalse();
        Comparison at99 = small.comparisons().get(0);
        // 30/99 vs 150/1000: p = 8.69e-5 < 0.05, 30 converted, 69 not, but 99 exposed
        assertThat(at99.pValue()).isCloseTo(8.685937840496803e-05, withPercentage(1e-8));
        assertThat(at99.significant()).isFalse();

        // 100 exposed, 30 converted, 70 not: everything holds
        ExperimentResult enough = rule(arm("cart-reminder", 9, 100, 30), control);
        assertThat(enough.srm()).isFalse();
        Comparison at100 = enough.comparisons().get(0);
        assertThat(at100.pValue()).isCloseTo(0.00011065275442182533, withPercentage(1e-8));
        assertThat(at100.significant()).isTrue();
    }

    @Test
    void minimumSampleRuleHoldsForTheControlToo() {
        // The control with 99 exposed: 150/1000 vs 5/99
        ExperimentResult r = rule(arm("cart-reminder", 91, 1000, 150), arm(CONTROL, 9, 99, 5));
        assertThat(r.srm()).isFalse();
        assertThat(r.comparisons().get(0).pValue()).isCloseTo(0.006665719935809369, within(1e-13));
        assertThat(r.comparisons().get(0).significant()).isFalse();
        ExperimentResult at100 = rule(arm("cart-reminder", 91, 1000, 150), arm(CONTROL, 9, 100, 5));
        assertThat(at100.comparisons().get(0).significant()).isTrue();
    }

    @Test
    void minimumSampleRuleAlsoWantsFiveConversionsAndFiveNonConversionsInBothArms() {
        // control converts 4 of 100: p = 9.86e-7 but too few conversions
        Comparison fewConversions =
                rule(arm("cart-reminder", 50, 100, 30), arm(CONTROL, 50, 100, 4))
                        .comparisons()
                        .get(0);
        assertThat(fewConversions.pValue()).isCloseTo(9.863218641772703e-07, withPercentage(1e-7));
        assertThat(fewConversions.significant()).isFalse();

        // variant: 96 of 100 convert, 4 do not: p = 4.99e-4 but too few non-conversions
        Comparison fewMisses =
                rule(arm("cart-reminder", 50, 100, 96), arm(CONTROL, 50, 100, 80))
                        .comparisons()
                        .get(0);
        assertThat(fewMisses.pValue()).isCloseTo(0.0004985148935752088, withPercentage(1e-8));
        assertThat(fewMisses.significant()).isFalse();

        // the same with 5 misses
        assertThat(
                        rule(arm("cart-reminder", 50, 100, 95), arm(CONTROL, 50, 100, 70))
                                .comparisons()
                                .get(0)
                                .significant())
                .isTrue();
    }

    @Test
    void theProgramComparesTreatedWithHoldout() {
        ExperimentResult r =
                ExperimentStatistics.analyse(
                        "program",
                        "holdout",
                        "holdout",
                        List.of(arm("treated", 95, 9500, 1045), arm("holdout", 5, 500, 50)));
        assertThat(r.experiment()).isEqualTo("program");
        assertThat(r.salt()).isEqualTo("holdout");
        assertThat(r.srmPValue()).isEqualTo(1.0);
        assertThat(r.comparisons()).hasSize(1);
        assertThat(r.comparisons().get(0).arm()).isEqualTo("treated");
        assertThat(r.comparisons().get(0).vs()).isEqualTo("holdout");
        assertThat(r.comparisons().get(0).diff()).isCloseTo(0.11 - 0.10, within(1e-15));
    }

    @Test
    void badCountsAreRefusedWithTheArmNamed() {
        assertThatThrownBy(() -> arm("cart-reminder", 50, 10, 11))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cart-reminder")
                .hasMessageContaining("11 converted of 10 exposed");
        assertThatThrownBy(() -> arm("cart-reminder", 101, 10, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("share");
        assertThatThrownBy(() -> arm("cart-reminder", 50, -1, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> rule(arm(CONTROL, 50, 10, 1), arm(CONTROL, 50, 10, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("twice");
    }

    @Test
    void aConfiguredExperimentGivesItsArmsInWrittenOrderAndKeepsUnknownArms() {
        Map<String, Integer> variants = new LinkedHashMap<>();
        variants.put("cart-reminder-short", 30);
        variants.put("cart-reminder", 50);
        Experiment x = new Experiment("cart-stall", variants, 20, GOAL, 86_400_000L, "s1");
        ExperimentResult r =
                ExperimentStatistics.analyse(
                        x,
                        Map.of("cart-reminder", 500L, CONTROL, 200L, "retired", 7L),
                        Map.of("cart-reminder", 60L, CONTROL, 20L, "retired", 1L));
        assertThat(r.experiment()).isEqualTo("cart-stall");
        assertThat(r.salt()).isEqualTo("s1");
        assertThat(r.arms())
                .containsExactly(
                        new ArmResult("cart-reminder-short", 30, 0, 0, null),
                        new ArmResult("cart-reminder", 50, 500, 60, 0.12),
                        new ArmResult(CONTROL, 20, 200, 20, 0.1),
                        new ArmResult("retired", 0, 7, 1, 1.0 / 7));
        assertThat(r.comparisons()).extracting(Comparison::arm).containsExactly("cart-reminder");
    }

    @Test
    void theProgramExperimentComparesWithItsHoldout() {
        Experiment program = Experiment.program(5, GOAL, 604_800_000L);
        ExperimentResult r =
                ExperimentStatistics.analyse(
                        program,
                        Map.of("treated", 1900L, "holdout", 100L),
                        Map.of("treated", 190L, "holdout", 10L));
        assertThat(r.experiment()).isEqualTo("program");
        assertThat(r.salt()).isEqualTo("holdout");
        assertThat(r.arms()).extracting(ArmResult::share).containsExactly(95, 5);
        assertThat(r.srmPValue()).isEqualTo(1.0); // 1900:100 is exactly 95:5
        assertThat(r.comparisons().get(0).vs()).isEqualTo("holdout");
        assertThat(r.comparisons().get(0).diff()).isCloseTo(0, within(1e-15));
    }
}
