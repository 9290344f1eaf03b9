package io.guidance.discover;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import io.guidance.rules.ThresholdRule;
import org.junit.jupiter.api.Test;

class SuggestedRuleTest {

    @Test
    void theRuleOfTheBestCellValidates() throws Exception {
        Cell best = Cell.of("friend_added", 7, 10, 30, 10, 20, 40);
        String yaml = SuggestedRule.yaml(best, "7d-14d", "events.jsonl");
        RuleSet rules = RulesParser.parse(yaml, "suggested-rules.yaml");
        assertThat(rules.rules).hasSize(1);
        ThresholdRule r = (ThresholdRule) rules.rules.get(0);
        assertThat(r.id).isEqualTo("friend-added-7-in-10d");
        assertThat(r.guide).isEqualTo("friend-added-nudge");
        assertThat(r.reachedGuide).isEqualTo("friend-added-milestone");
        assertThat(r.target).isEqualTo(7);
        assertThat(r.sinceFirstSeen).isTrue();
        assertThat(r.windowMs).isEqualTo(10 * 86_400_000L);
        assertThat(r.nudgeFrom).isEqualTo(4); // ceil(7 / 2), as in the SPEC's example
        assertThat(r.eventTypes()).containsExactly("friend_added");
        assertThat(yaml).contains("phi 0.408 (highly predictive)").contains("75.0%");
    }

    @Test
    void nudgeBandIsBelowTheTargetForEveryTarget() throws Exception {
        assertThat(SuggestedRule.nudgeFrom(1)).isZero();
        assertThat(SuggestedRule.nudgeFrom(2)).isEqualTo(1);
        assertThat(SuggestedRule.nudgeFrom(3)).isEqualTo(2);
        assertThat(SuggestedRule.nudgeFrom(10)).isEqualTo(5);
        for (int n = 1; n <= 30; n++) {
            Cell c = Cell.of("Add To Cart!", n, 1, 30, 10, 20, 40);
            ThresholdRule r =
                    (ThresholdRule)
                            RulesParser.parse(SuggestedRule.yaml(c, "7d-14d", null), "s")
                                    .rules
                                    .get(0);
            assertThat(r.nudgeFrom).isBetween(0, n - 1);
            assertThat(r.id).isEqualTo("add-to-cart-" + n + "-in-1d");
        }
    }

    @Test
    void noUnflaggedCellGivesAnEmptyValidFile() throws Exception {
        assertThat(RulesParser.parse(SuggestedRule.none("7d-14d", "x"), "s").rules).isEmpty();
    }
}
