package io.guidance.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.rules.Rule;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Rules indexed by the event types their matchers name, so that an event meets only the rules that
 * can act on it.
 */
class RuleIndexTest {
    private static final String ALL_TYPED =
            """
              - id: checkout-stall
                guide: checkout-help
                kind: stall
                start: {type: page_view, page: /checkout}
                progress: [{type: page_view}, {type: click, target: "#pay"}]
                within: 8s
              - id: rage-click
                guide: help-widget
                kind: burst
                match: {type: click}
                sameField: target
                count: 3
                within: 1s
              - id: plan-loop
                guide: plan-chooser
                kind: loop
                match: {type: page_view, page: "/plans*"}
                field: page
                times: 3
                within: 60s
              - id: friends
                guide: invite-friends
                kind: threshold
                action: {type: [friend_added, friend_imported]}
                target: 7
                window: {sinceFirstSeen: 10d}
                nudgeFrom: 4
              - id: welcome-back
                guide: whats-new
                kind: comeback
                gap: 14d
            """;

    @Test
    void anEventTypeThatNoRuleNamesMeetsNoRule() {
        RuleIndex index = new RuleIndex(DetectionHarness.rules(ALL_TYPED));

        assertThat(index.rulesFor("scroll")).isEmpty();
        // what is left for such an event: the threshold's session-start nudge and the comeback,
        // both per user
        assertThat(ids(index.sessionStartRulesNotFor("scroll"))).containsExactly("friends");
        assertThat(ids(index.everyEventRules())).containsExactly("welcome-back");
    }

    @Test
    void aNamedTypeMeetsTheRulesThatNameItInFileOrder() {
        RuleIndex index = new RuleIndex(DetectionHarness.rules(ALL_TYPED));

        assertThat(ids(index.rulesFor("click"))).containsExactly("checkout-stall", "rage-click");
        assertThat(ids(index.rulesFor("page_view"))).containsExactly("checkout-stall", "plan-loop");
        assertThat(ids(index.rulesFor("friend_added"))).containsExactly("friends");
        assertThat(ids(index.rulesFor("friend_imported"))).containsExactly("friends");
        assertThat(index.sessionStartRulesNotFor("friend_added")).isEmpty();
        assertThat(ids(index.sessionStartRulesNotFor("click"))).containsExactly("friends");
    }

    @Test
    void aRuleThatLeavesTheTypeOpenMeetsEveryType() {
        RuleIndex index =
                new RuleIndex(
                        DetectionHarness.rules(
                                ALL_TYPED
                                        + """
                  - id: any-feedback
                    guide: feedback-thanks
                    kind: burst
                    match: {type: "guide_*"}
                    count: 2
                    within: 1m
                  - id: pricing-visits
                    guide: pricing-help
                    kind: threshold
                    action: {page: /pricing}
                    target: 3
                    window: {rolling: 1d}
                """));

        assertThat(ids(index.rulesFor("scroll"))).containsExactly("any-feedback", "pricing-visits");
        assertThat(ids(index.rulesFor("click")))
                .containsExactly("checkout-stall", "rage-click", "any-feedback", "pricing-visits");
        // an open threshold is evaluated in full for every event, so it is never among the
        // nudge-only ones
        assertThat(ids(index.sessionStartRulesNotFor("scroll"))).containsExactly("friends");
        assertThat(ids(index.sessionStartRulesNotFor("click"))).containsExactly("friends");
    }

    @Test
    void sessionIdsMatterForTheLongestSinceFirstSeenNudgeAndForGoodWithARollingOne() {
        // friends: sinceFirstSeen 10 d with nudges; the comeback asks nothing about sessions
        assertThat(new RuleIndex(DetectionHarness.rules(ALL_TYPED)).sessionStartsMatterForMs())
                .isEqualTo(10 * 86_400_000L);
        String rolling =
                """
                  - id: pricing-visits
                    guide: pricing-help
                    kind: threshold
                    action: {page: /pricing}
                    target: 3
                    window: {rolling: 1d}
                    nudgeFrom: 1
                """;
        assertThat(
                        new RuleIndex(DetectionHarness.rules(ALL_TYPED + rolling))
                                .sessionStartsMatterForMs())
                .isEqualTo(Long.MAX_VALUE);
        // a threshold without nudges never asks
        String noNudge =
                """
                  - id: reached
                    guide: well-done
                    kind: threshold
                    action: {type: purchase}
                    target: 3
                    window: {sinceFirstSeen: 30d}
                """;
        RuleIndex none = new RuleIndex(DetectionHarness.rules(noNudge));
        assertThat(none.watchesSessionStarts()).isFalse();
        assertThat(none.sessionStartsMatterForMs()).isZero();
    }

    @Test
    void rulesAreFoundById() {
        RuleIndex index = new RuleIndex(DetectionHarness.rules(ALL_TYPED));

        assertThat(index.rule("plan-loop").kind()).isEqualTo("loop");
        assertThat(index.rule("no-such-rule")).isNull();
    }

    @Test
    void longestWindowsSetTheRetentionFloors() {
        RuleIndex index = new RuleIndex(DetectionHarness.rules(ALL_TYPED));

        // burst 1 s and loop 60 s per session (a stall needs no session memory); threshold 10 d and
        // comeback 14 d
        assertThat(index.longestSessionWindowMs()).isEqualTo(60_000L);
        assertThat(index.longestUserWindowMs()).isEqualTo(14 * 86_400_000L);
        assertThat(index.hasPerUserRules()).isTrue();
    }

    @Test
    void onlyThresholdAndComebackNeedPerUserMemory() {
        RuleIndex index =
                new RuleIndex(
                        DetectionHarness.rules(
                                """
                  - id: rage-click
                    guide: help-widget
                    kind: burst
                    match: {type: click}
                    count: 3
                    within: 1s
                """));

        assertThat(index.hasPerUserRules()).isFalse();
        assertThat(index.longestUserWindowMs()).isZero();
        assertThat(index.rulesFor("scroll")).isEmpty();
        assertThat(index.sessionStartRulesNotFor("scroll")).isEmpty();
        assertThat(index.everyEventRules()).isEmpty();
    }

    private static List<String> ids(List<? extends Rule> rules) {
        return rules.stream().map(r -> r.id).collect(Collectors.toList());
    }
}
