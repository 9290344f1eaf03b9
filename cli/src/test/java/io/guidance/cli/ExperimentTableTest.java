package io.guidance.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The demo's experiment table from given Redis hash values. The expected numbers are worked out by
 * hand from SPEC section 7: rate = converted / exposed; diff = r_v - r_c; 95% interval = diff +-
 * 1.959964 * sqrt(r_v (1 - r_v) / n_v + r_c (1 - r_c) / n_c); significant when the pooled z-test
 * gives p < 0.05, there is no sample ratio mismatch and both arms have 100 users and 5 conversions.
 */
class ExperimentTableTest {
    private static final String RULES =
            String.join(
                    "\n",
                    "version: 1",
                    "delivery:",
                    "  holdout: 5",
                    "  goal: {type: purchase}",
                    "rules:",
                    "  - id: cart-stall",
                    "    guide: cart-reminder",
                    "    kind: stall",
                    "    start: {type: add_to_cart}",
                    "    progress: [{type: purchase}]",
                    "    within: 30m",
                    "    experiment:",
                    "      variants: {cart-reminder: 40, cart-reminder-short: 40}",
                    "      control: 20",
                    "      goal: {type: purchase}",
                    "      window: 1d",
                    "  - id: welcome-back",
                    "    guide: whats-new",
                    "    kind: comeback",
                    "    gap: 2d",
                    "    experiment:",
                    "      variants: {whats-new: 50}",
                    "      control: 50",
                    "      goal: {type: purchase}",
                    "");

    @Test
    void armsRatesAndEachVariantAgainstControlWithItsIntervalAndVerdict() throws Exception {
        RuleSet rules = RulesParser.parse(RULES, "rules.yaml");
        Map<String, Map<String, String>> hashes = new LinkedHashMap<>();
        // an experiment the rules no longer have comes last, whatever order Redis gives
        hashes.put(
                "old-rule",
                Map.of(
                        "salt", "old-rule",
                        "arms", "a,control",
                        "a:exposed", "10",
                        "a:converted", "1",
                        "control:exposed", "5",
                        "control:converted", "0",
                        "updatedAt", "1"));
        hashes.put(
                "program",
                Map.of(
                        "salt", "holdout",
                        "arms", "treated,holdout",
                        "treated:exposed", "1000",
                        "treated:converted", "100",
                        "holdout:exposed", "200",
                        "holdout:converted", "10",
                        "updatedAt", "1"));
        hashes.put(
                "cart-stall",
                Map.of(
                        "salt", "cart-stall",
                        "arms", "cart-reminder,cart-reminder-short,control",
                        "cart-reminder:exposed", "400",
                        "cart-reminder:converted", "60",
                        "cart-reminder-short:exposed", "400",
                        "cart-reminder-short:converted", "80",
                        "control:exposed", "200",
                        "control:converted", "20",
                        "updatedAt", "1"));
        hashes.put("welcome-back", Map.of("salt", "welcome-back", "arms", "", "updatedAt", "1"));

        List<String> lines =
                ExperimentTable.lines(rules, hashes).stream()
                        .map(l -> l.replaceAll("\\s+", " ").trim())
                        .toList();

        assertThat(lines)
                .containsExactly(
                        // 400/400/200 is exactly 40/40/20: chi-square 0, p 1
                        "cart-stall (salt cart-stall): split matches the shares (SRM p 1.000)",
                        "arm exposed converted rate vs control: diff [95% interval]",
                        // 0.15 - 0.10 = 0.05; se = sqrt(.15*.85/400 + .1*.9/200) = 0.027726,
                        // * 1.959964 = 0.054343; pooled 80/600: z = 0.05 / 0.029439 = 1.698,
                        // p = 0.089
                        "cart-reminder 400 60 15.0% +5.0 pp [-0.4, +10.4] not significant",
                        // 0.20 - 0.10 = 0.10; se = sqrt(.2*.8/400 + .1*.9/200) = 0.029155,
                        // * 1.959964 = 0.057142; pooled 100/600: z = 0.10 / 0.032275 = 3.098,
                        // p = 0.002
                        "cart-reminder-short 400 80 20.0% +10.0 pp [+4.3, +15.7] significant",
                        "control 200 20 10.0%",
                        "welcome-back (salt welcome-back): no users yet",
                        "arm exposed converted rate vs control: diff [95% interval]",
                        "whats-new 0 0 - no comparison yet",
                        "control 0 0 -",
                        // expected 1140 / 60 of 1200 at 95/5: chi-square 140^2/1140 + 140^2/60
                        // = 343.9 on 1 df
                        "program (salt holdout): SRM: the split of users does not match the"
                                + " shares (p < 0.001), no result is trustworthy",
                        "arm exposed converted rate vs holdout: diff [95% interval]",
                        // 0.10 - 0.05 = 0.05; se = sqrt(.1*.9/1000 + .05*.95/200) = 0.018097,
                        // * 1.959964 = 0.035469; p = 0.025 but the split is broken
                        "treated 1000 100 10.0% +5.0 pp [+1.5, +8.5] not significant (SRM)",
                        "holdout 200 10 5.0%",
                        "old-rule (salt old-rule): not in the rules now, so its shares are"
                                + " unknown: not compared",
                        "arm exposed converted rate vs control: diff [95% interval]",
                        "a 10 1 10.0%",
                        "control 5 0 0.0%");
    }

    @Test
    void aChangedSaltIsNotComparedWithTheNewShares() throws Exception {
        RuleSet rules = RulesParser.parse(RULES, "rules.yaml");
        List<String> lines =
                ExperimentTable.lines(
                        rules,
                        Map.of(
                                "cart-stall",
                                Map.of(
                                        "salt", "cart-stall-old",
                                        "arms", "cart-reminder,control",
                                        "cart-reminder:exposed", "300",
                                        "cart-reminder:converted", "30",
                                        "control:exposed", "300",
                                        "control:converted", "10")));
        assertThat(lines.get(0)).contains("salt cart-stall-old").contains("not compared");
        assertThat(String.join("\n", lines)).doesNotContain(" pp ");
    }

    @Test
    void nothingInRedisIsNoTable() throws Exception {
        assertThat(ExperimentTable.lines(RulesParser.parse(RULES, "rules.yaml"), Map.of()))
                .isEmpty();
    }
}
