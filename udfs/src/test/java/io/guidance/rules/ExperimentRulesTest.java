package io.guidance.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.tuple;

import io.guidance.event.Event;
import io.guidance.experiment.Experiment;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC section 7: a rule's {@code experiment} block and the program holdout in {@code delivery},
 * read into the model and validated like every other rule field (rule id, field and line, every
 * problem at once). Line numbers are counted by hand in the YAML literals; the offending line
 * carries a {@code # line N} comment.
 */
class ExperimentRulesTest {
    private static final long DAY = 86_400_000L;
    private static final long T0 = 1_700_000_000_000L;

    /** The SPEC example of section 7, verbatim. */
    private static final String SPEC_EXAMPLE =
            """
            version: 1
            delivery:
              holdout: 5                # percent of users (0-50, default 0) who never get any guide: the program's control group
              goal: {type: purchase}    # the program's conversion (needed when holdout > 0)
              goalWindow: 7d            # a program conversion counts within this after exposure
            rules:
              - id: cart-stall
                guide: cart-reminder
                kind: stall
                start: {type: add_to_cart}
                progress: [{type: purchase}]
                within: 30m
                experiment:             # optional, every kind
                  variants: {cart-reminder: 40, cart-reminder-short: 40}   # guide -> percent of the rule's users
                  control: 20           # percent who get nothing (0-90)
                  goal: {type: purchase}
                  window: 1d            # a conversion counts within this after exposure
                  salt: cart-stall      # optional, default the rule id; a new salt is a new experiment
            """;

    /** A stall rule whose experiment block starts on line 10; {@link #withBlock} fills it in. */
    private static final String STALL_WITH_EXPERIMENT =
            """
            version: 1
            rules:
              - id: cart-stall
                guide: cart-reminder
                kind: stall
                start: {type: add_to_cart}
                progress: [{type: purchase}]
                within: 30m
                experiment:                                   # line 9
            """;

    // ---- valid blocks ----

    @Test
    void theSpecExampleParsesIntoItsExperimentAndProgram() throws Exception {
        RuleSet set = RulesParser.parse(SPEC_EXAMPLE, "rules.yaml");

        Experiment x = set.experimentOf("cart-stall");
        assertThat(x).isNotNull();
        assertThat(x.name).isEqualTo("cart-stall");
        assertThat(x.variants)
                .containsExactly(
                        Map.entry("cart-reminder", 40), Map.entry("cart-reminder-short", 40));
        assertThat(x.arms()).containsExactly("cart-reminder", "cart-reminder-short", "control");
        assertThat(x.control).isEqualTo(20);
        assertThat(x.shareOf("control")).isEqualTo(20);
        assertThat(x.windowMs).isEqualTo(DAY);
        assertThat(x.salt).isEqualTo("cart-stall");
        assertThat(x.goal.matches(event("purchase"))).isTrue();
        assertThat(x.goal.matches(event("add_to_cart"))).isFalse();
        // 40/40/20: arm ranges [0, 4000), [4000, 8000), [8000, 10000)
        assertThat(x.armOfBucket(3999)).isEqualTo("cart-reminder");
        assertThat(x.armOfBucket(4000)).isEqualTo("cart-reminder-short");
        assertThat(x.armOfBucket(8000)).isEqualTo("control");

        assertThat(set.delivery.holdout).isEqualTo(5);
        assertThat(set.delivery.goal.matches(event("purchase"))).isTrue();
        assertThat(set.delivery.goalWindowMs).isEqualTo(7 * DAY);
        assertThat(set.program).isNotNull();
        assertThat(set.program.arms()).containsExactly("treated", "holdout");
        assertThat(set.program.shareOf("holdout")).isEqualTo(5);
        assertThat(set.program.salt).isEqualTo("holdout");
        assertThat(set.hasExperiments()).isTrue();
        // the rule itself is unchanged by its experiment
        assertThat(set.rule("cart-stall").guide).isEqualTo("cart-reminder");
    }

    @Test
    void controlWindowAndSaltHaveTheirDefaultsAndVariantsKeepTheirWrittenOrder() throws Exception {
        RuleSet set =
                RulesParser.parse(
                        withBlock(
                                """
                          variants: {zz-short: 30, aa-long: 70}
                          goal: {type: purchase, props.plan: pro}
                        """),
                        "test");

        Experiment x = set.experimentOf("cart-stall");
        assertThat(x.arms()).containsExactly("zz-short", "aa-long", "control");
        assertThat(x.control).isZero();
        assertThat(x.windowMs).as("window absent: 7 days").isEqualTo(7 * DAY);
        assertThat(x.salt).as("salt absent: the rule id").isEqualTo("cart-stall");
        // control 0: no bucket is control; zz-short [0, 3000), aa-long [3000, 10000)
        assertThat(x.armOfBucket(2999)).isEqualTo("zz-short");
        assertThat(x.armOfBucket(3000)).isEqualTo("aa-long");
        assertThat(x.armOfBucket(9999)).isEqualTo("aa-long");
        assertThat(set.program).as("no holdout").isNull();
        assertThat(set.delivery.holdout).isZero();
        assertThat(set.delivery.goal).isNull();
        assertThat(set.delivery.goalWindowMs).isEqualTo(7 * DAY);
    }

    @Test
    void aGivenSaltAndAZeroShareVariantAreKept() throws Exception {
        RuleSet set =
                RulesParser.parse(
                        withBlock(
                                """
                          variants: {cart-reminder: 0, cart-reminder-short: 50}
                          control: 50
                          goal: {type: purchase}
                          window: 36h
                          salt: cart-stall-2
                        """),
                        "test");

        Experiment x = set.experimentOf("cart-stall");
        assertThat(x.salt).isEqualTo("cart-stall-2");
        assertThat(x.windowMs).isEqualTo(36 * 3_600_000L);
        assertThat(x.arms()).containsExactly("cart-reminder", "cart-reminder-short", "control");
        assertThat(x.shareOf("cart-reminder")).isZero();
        assertThat(x.armOfBucket(0)).isEqualTo("cart-reminder-short");
        assertThat(x.armOfBucket(5000)).isEqualTo("control");
    }

    @Test
    void everyKindMayHaveAnExperimentAndRulesWithoutOneHaveNone() throws Exception {
        String block =
                """
                    experiment: {variants: {%s: 50}, control: 50, goal: {type: purchase}}
                """;
        RuleSet set =
                RulesParser.parse(
                        """
                version: 1
                rules:
                  - id: rage-click
                    guide: help-widget
                    kind: burst
                    match: {type: click}
                    count: 3
                    within: 1s
                %s  - id: plan-loop
                    guide: plan-chooser
                    kind: loop
                    match: {type: page_view, page: "/plans*"}
                    field: page
                    times: 3
                    within: 60s
                %s  - id: seven-friends
                    guide: invite-friends
                    kind: threshold
                    action: {type: friend_added}
                    target: 7
                    window: {sinceFirstSeen: 10d}
                    nudgeFrom: 4
                    reachedGuide: friends-milestone
                %s  - id: welcome-back
                    guide: whats-new
                    kind: comeback
                    gap: 14d
                %s  - id: checkout-stall
                    guide: checkout-help
                    kind: stall
                    start: {type: page_view, page: /checkout}
                    progress: [{type: page_view}]
                    within: 8s
                """
                                .formatted(
                                        block.formatted("help-widget-b"),
                                        block.formatted("plan-chooser-b"),
                                        block.formatted("invite-friends-b"),
                                        block.formatted("whats-new-b")),
                        "test");

        assertThat(set.experiments.keySet())
                .containsExactly("rage-click", "plan-loop", "seven-friends", "welcome-back");
        assertThat(set.experimentOf("plan-loop").arms())
                .containsExactly("plan-chooser-b", "control");
        assertThat(set.experimentOf("checkout-stall")).isNull();
        // threshold: the variants replace the nudge guide in the job; the rule itself is as written
        ThresholdRule t = (ThresholdRule) set.rule("seven-friends");
        assertThat(t.guide).isEqualTo("invite-friends");
        assertThat(t.reachedGuide).isEqualTo("friends-milestone");
        assertThat(set.experimentOf("seven-friends").variants).containsOnlyKeys("invite-friends-b");
    }

    // ---- one problem each ----

    static Stream<Arguments> oneProblemEach() {
        return Stream.of(
                problem(
                        "a negative share",
                        """
                          variants: {cart-reminder: -10, cart-reminder-short: 90}   # line 10
                          control: 20
                          goal: {type: purchase}
                        """,
                        "experiment.variants.cart-reminder",
                        10),
                problem(
                        "a fractional share",
                        """
                          variants: {cart-reminder: 40.5, cart-reminder-short: 40}
                          control: 20
                          goal: {type: purchase}
                        """,
                        "experiment.variants.cart-reminder",
                        10),
                problem(
                        "a share as text",
                        """
                          variants:
                            cart-reminder: 80
                            cart-reminder-short: "20"                              # line 12
                          goal: {type: purchase}
                        """,
                        "experiment.variants.cart-reminder-short",
                        12),
                problem(
                        "no variant above 0",
                        """
                          variants: {cart-reminder: 0, cart-reminder-short: 0}     # line 10
                          control: 90
                          goal: {type: purchase}
                        """,
                        "experiment.variants",
                        10),
                problem(
                        "a control of 91",
                        """
                          variants: {cart-reminder: 9}
                          control: 91                                              # line 11
                          goal: {type: purchase}
                        """,
                        "experiment.control",
                        11),
                problem(
                        "a negative control",
                        """
                          variants: {cart-reminder: 100}
                          control: -1                                              # line 11
                          goal: {type: purchase}
                        """,
                        "experiment.control",
                        11),
                problem(
                        "shares summing to 90",
                        """
                          variants: {cart-reminder: 40, cart-reminder-short: 40}   # line 10
                          control: 10
                          goal: {type: purchase}
                        """,
                        "experiment.variants",
                        10),
                problem(
                        "shares summing to 110",
                        """
                          control: 30
                          variants: {cart-reminder: 40, cart-reminder-short: 40}   # line 11
                          goal: {type: purchase}
                        """,
                        "experiment.variants",
                        11),
                problem(
                        "a variant name outside [a-z0-9-]+",
                        """
                          variants:
                            cart-reminder: 50
                            Cart_Reminder_Short: 30                                # line 12
                          control: 20
                          goal: {type: purchase}
                        """,
                        "experiment.variants.Cart_Reminder_Short",
                        12),
                problem(
                        "a variant named control",
                        """
                          variants: {control: 50}                                  # line 10
                          control: 50
                          goal: {type: purchase}
                        """,
                        "experiment.variants.control",
                        10),
                problem(
                        "a variant listed twice",
                        """
                          variants:
                            cart-reminder: 40
                            cart-reminder: 40                                      # line 12
                          control: 20
                          goal: {type: purchase}
                        """,
                        "experiment.variants.cart-reminder",
                        12),
                problem(
                        "no variants",
                        """
                          control: 50
                          goal: {type: purchase}
                        """,
                        "experiment.variants",
                        9),
                problem(
                        "variants as a list",
                        """
                          variants: [cart-reminder, cart-reminder-short]           # line 10
                          goal: {type: purchase}
                        """,
                        "experiment.variants",
                        10),
                problem(
                        "no goal",
                        """
                          variants: {cart-reminder: 50}
                          control: 50
                        """,
                        "experiment.goal",
                        9),
                problem(
                        "a goal that is not a matcher",
                        """
                          variants: {cart-reminder: 50}
                          control: 50
                          goal: purchase                                           # line 12
                        """,
                        "experiment.goal",
                        12),
                problem(
                        "a goal on an unknown event field",
                        """
                          variants: {cart-reminder: 50}
                          control: 50
                          goal: {event: purchase}                                  # line 12
                        """,
                        "experiment.goal.event",
                        12),
                problem(
                        "a zero window",
                        """
                          variants: {cart-reminder: 50}
                          control: 50
                          goal: {type: purchase}
                          window: 0s                                               # line 13
                        """,
                        "experiment.window",
                        13),
                problem(
                        "a window that is not a duration",
                        """
                          variants: {cart-reminder: 50}
                          control: 50
                          goal: {type: purchase}
                          window: 1 day                                            # line 13
                        """,
                        "experiment.window",
                        13),
                problem(
                        "an empty salt",
                        """
                          variants: {cart-reminder: 50}
                          control: 50
                          goal: {type: purchase}
                          salt: ""                                                 # line 13
                        """,
                        "experiment.salt",
                        13),
                problem(
                        "a salt that is a number",
                        """
                          variants: {cart-reminder: 50}
                          control: 50
                          goal: {type: purchase}
                          salt: 2                                                  # line 13
                        """,
                        "experiment.salt",
                        13),
                problem(
                        "the program holdout's salt",
                        """
                          variants: {cart-reminder: 50}
                          control: 50
                          goal: {type: purchase}
                          salt: holdout                                            # line 13
                        """,
                        "experiment.salt",
                        13),
                problem(
                        "an unknown field",
                        """
                          variants: {cart-reminder: 50}
                          control: 50
                          goal: {type: purchase}
                          holdout: 5                                               # line 13
                        """,
                        "experiment.holdout",
                        13));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oneProblemEach")
    void eachInvalidBlockIsReportedWithItsFieldAndLine(
            String what, String block, String field, int line) {
        List<RuleProblem> problems = problemsOf(withBlock(block));

        assertThat(problems)
                .extracting(p -> p.ruleId, p -> p.field, p -> p.line)
                .containsExactly(tuple("cart-stall", field, line));
    }

    @Test
    void aSumThatIsNot100SaysWhatItSumsTo() {
        List<RuleProblem> problems =
                problemsOf(
                        withBlock(
                                """
                          variants: {cart-reminder: 40, cart-reminder-short: 40}
                          control: 10
                          goal: {type: purchase}
                        """));

        assertThat(problems.get(0).message)
                .contains("sum to 100, not 90")
                .contains("cart-reminder 40")
                .contains("cart-reminder-short 40")
                .contains("control 10");
    }

    @Test
    void anExperimentThatIsNotAMapIsReportedAtItsLine() {
        List<RuleProblem> problems =
                problemsOf(STALL_WITH_EXPERIMENT.replace("experiment:  ", "experiment: yes"));

        assertThat(problems)
                .extracting(p -> p.ruleId, p -> p.field, p -> p.line)
                .containsExactly(tuple("cart-stall", "experiment", 9));
    }

    // ---- the program holdout ----

    @Test
    void aHoldoutWithoutAGoalIsReportedAtTheHoldout() {
        List<RuleProblem> problems =
                problemsOf(
                        """
                version: 1
                delivery:
                  ttl: 10m
                  holdout: 5                                   # line 4
                rules: []
                """);

        assertThat(problems)
                .extracting(p -> p.ruleId, p -> p.field, p -> p.line)
                .containsExactly(tuple(null, "delivery.goal", 4));
        assertThat(problems.get(0).message).contains("missing");
    }

    @Test
    void aHoldoutOf0NeedsNoGoal() throws Exception {
        RuleSet set =
                RulesParser.parse(
                        """
                version: 1
                delivery: {holdout: 0}
                rules: []
                """,
                        "test");

        assertThat(set.delivery.holdout).isZero();
        assertThat(set.program).isNull();
        assertThat(set.hasExperiments()).isFalse();
    }

    @Test
    void aHoldoutOf50IsTheMost() throws Exception {
        RuleSet set =
                RulesParser.parse(
                        """
                version: 1
                delivery: {holdout: 50, goal: {type: purchase}, goalWindow: 2d}
                rules: []
                """,
                        "test");

        assertThat(set.delivery.holdout).isEqualTo(50);
        assertThat(set.delivery.goalWindowMs).isEqualTo(2 * DAY);
        assertThat(set.program.armOfBucket(4999)).isEqualTo("holdout");
        assertThat(set.program.armOfBucket(5000)).isEqualTo("treated");
    }

    @Test
    void aHoldoutOf51IsImpossible() {
        List<RuleProblem> problems =
                problemsOf(
                        """
                version: 1
                delivery:
                  holdout: 51                                  # line 3
                  goal: {type: purchase}
                rules: []
                """);

        assertThat(problems)
                .extracting(p -> p.ruleId, p -> p.field, p -> p.line)
                .containsExactly(tuple(null, "delivery.holdout", 3));
        assertThat(problems.get(0).message).contains("between 0 and 50").contains("51");
    }

    @Test
    void otherBadProgramSettingsAreReported() {
        List<RuleProblem> problems =
                problemsOf(
                        """
                version: 1
                delivery:
                  holdout: 5%                                  # line 3
                  goal: purchase                               # line 4
                  goalWindow: 0d                               # line 5
                rules: []
                """);

        assertThat(problems)
                .extracting(p -> p.ruleId, p -> p.field, p -> p.line)
                .containsExactlyInAnyOrder(
                        tuple(null, "delivery.holdout", 3),
                        tuple(null, "delivery.goal", 4),
                        tuple(null, "delivery.goalWindow", 5));
    }

    // ---- several problems at once ----

    @Test
    void everyProblemOfEveryExperimentIsListedAtOnce() {
        RuleValidationException e =
                rejected(
                        """
                version: 1
                delivery:
                  holdout: 10                                  # line 3
                rules:
                  - id: cart-stall
                    guide: cart-reminder
                    kind: stall
                    start: {type: add_to_cart}
                    progress: [{type: purchase}]
                    within: 30m
                    experiment:                                # line 11
                      variants: {cart-reminder: 40, Short: 30} # line 12
                      control: 95                              # line 13
                      window: -1d                              # line 14
                      colour: red                              # line 15
                  - id: rage-click
                    guide: help-widget
                    kind: burst
                    match: {type: click}
                    count: 1                                   # line 20
                    within: 1s
                    experiment:
                      variants: {help-widget: 40, help-widget-b: 40}   # line 23
                      goal: {type: purchase}
                      salt: ""                                 # line 25
                """);

        assertThat(e.problems())
                .extracting(p -> p.ruleId, p -> p.field, p -> p.line)
                .containsExactlyInAnyOrder(
                        tuple(null, "delivery.goal", 3),
                        tuple("cart-stall", "experiment.variants.Short", 12),
                        tuple("cart-stall", "experiment.control", 13),
                        tuple("cart-stall", "experiment.goal", 11),
                        tuple("cart-stall", "experiment.window", 14),
                        tuple("cart-stall", "experiment.colour", 15),
                        tuple("rage-click", "count", 20),
                        tuple("rage-click", "experiment.variants", 23),
                        tuple("rage-click", "experiment.salt", 25));
        assertThat(e.getMessage())
                .startsWith("rules.yaml: 9 problems")
                .contains("line 13: rule 'cart-stall', field 'experiment.control': ")
                .contains("line 23: rule 'rage-click', field 'experiment.variants': ")
                .contains("not 80");
    }

    // ---- fixtures ----

    /**
     * {@link #STALL_WITH_EXPERIMENT} with the block's lines from line 10 on, indented under {@code
     * experiment:}.
     */
    private static String withBlock(String block) {
        return STALL_WITH_EXPERIMENT + block.stripIndent().indent(6);
    }

    private static Arguments problem(String what, String block, String field, int line) {
        return Arguments.of(what, block, field, line);
    }

    private static Event event(String type) {
        return new Event("e-1", "u-1", "s-1", T0, type, null, null, null);
    }

    private static List<RuleProblem> problemsOf(String yaml) {
        return rejected(yaml).problems();
    }

    private static RuleValidationException rejected(String yaml) {
        RuleValidationException e =
                catchThrowableOfType(
                        RuleValidationException.class, () -> RulesParser.parse(yaml, "rules.yaml"));
        if (e == null) {
            fail("the rules were accepted:%n%s", yaml);
        }
        return e;
    }
}
