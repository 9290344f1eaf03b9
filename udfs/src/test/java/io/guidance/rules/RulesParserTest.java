package io.guidance.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.tuple;

import io.guidance.event.Event;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC section 3: the rules file, and validation that names the rule id, the field and the line of
 * every problem. Line numbers in the expectations are counted by hand in the YAML literals; the
 * offending line carries a {@code # line N} comment to make the count easy to check.
 */
class RulesParserTest {
    private static final long T0 = 1_700_000_000_000L;

    /**
     * The SPEC example, its delivery block and its stall rule (the other kinds have their own
     * tests).
     */
    private static final String SPEC_EXAMPLE_STALL =
            """
            version: 1
            delivery:                 # defaults for every rule; a rule may override cooldown and priority
              ttl: 10m                # how long a delivered trigger stays readable in Redis
              minGap: 2m              # at most one guide per user in any such span
              maxPerDay: 5            # at most this many guides per user in any rolling 24 h
              cooldown: 1d            # the same guide to the same user again only after this
            rules:
              - id: checkout-stall        # [a-z0-9-]+, unique
                guide: checkout-help      # what the front end shows; its own catalogue maps it to content
                kind: stall
                start: {type: page_view, page: /checkout}
                progress: [{type: page_view}, {type: click, target: "#pay"}]
                within: 8s
            """;

    // ---- a valid file ----

    @Test
    void theSpecExampleStallRuleParses() throws Exception {
        RuleSet set = RulesParser.parse(SPEC_EXAMPLE_STALL, "rules.yaml");

        assertThat(set.version).isEqualTo(1);
        assertThat(set.delivery.ttlMs).isEqualTo(10 * 60_000L);
        assertThat(set.delivery.minGapMs).isEqualTo(2 * 60_000L);
        assertThat(set.delivery.maxPerDay).isEqualTo(5);
        assertThat(set.delivery.cooldownMs).isEqualTo(24 * 3_600_000L);
        assertThat(set.rules).hasSize(1);

        StallRule stall = (StallRule) set.rule("checkout-stall");
        assertThat(stall.id).isEqualTo("checkout-stall");
        assertThat(stall.guide).isEqualTo("checkout-help");
        assertThat(stall.kind()).isEqualTo("stall");
        assertThat(stall.perSession()).isTrue();
        assertThat(stall.withinMs).isEqualTo(8_000L);
        assertThat(stall.priority).isZero();
        assertThat(stall.enabled).isTrue();
        assertThat(set.cooldownOf(stall))
                .as("no own cooldown: the delivery default")
                .isEqualTo(24 * 3_600_000L);

        assertThat(stall.start.patterns()).containsOnlyKeys("type", "page");
        assertThat(stall.start.matches(event("page_view", "/checkout", null))).isTrue();
        assertThat(stall.start.matches(event("page_view", "/cart", null))).isFalse();

        assertThat(stall.progress).hasSize(2);
        assertThat(stall.isProgress(event("page_view", "/thank-you", null))).isTrue();
        assertThat(stall.isProgress(event("click", "/checkout", "#pay"))).isTrue();
        assertThat(stall.isProgress(event("click", "/checkout", "#help"))).isFalse();
    }

    @Test
    void aMissingDeliveryBlockMeansTheDefaults() throws Exception {
        RuleSet set =
                RulesParser.parse(
                        """
                version: 1
                rules: []
                """,
                        "test");

        assertThat(set.rules).isEmpty();
        assertThat(set.delivery.ttlMs).isEqualTo(10 * 60_000L);
        assertThat(set.delivery.minGapMs).isEqualTo(2 * 60_000L);
        assertThat(set.delivery.maxPerDay).isEqualTo(5);
        assertThat(set.delivery.cooldownMs).isEqualTo(24 * 3_600_000L);
    }

    @Test
    void aRuleMayOverrideCooldownAndPriority() throws Exception {
        RuleSet set =
                RulesParser.parse(
                        """
                version: 1
                rules:
                  - id: checkout-stall
                    guide: checkout-help
                    kind: stall
                    start: {type: page_view, page: /checkout}
                    progress: [{type: click, target: "#pay"}]
                    within: 8s
                    cooldown: 2h
                    priority: 10
                    enabled: false
                """,
                        "test");

        Rule rule = set.rule("checkout-stall");
        assertThat(rule.priority).isEqualTo(10);
        assertThat(set.cooldownOf(rule)).isEqualTo(2 * 3_600_000L);
        assertThat(rule.enabled).isFalse();
    }

    // ---- one problem of each kind ----

    @Test
    void anUnknownFieldIsReportedWithRuleFieldAndLine() {
        List<RuleProblem> problems =
                problemsOf(
                        """
                version: 1
                rules:
                  - id: checkout-stall
                    guide: checkout-help
                    kind: stall
                    start: {type: page_view, page: /checkout}
                    progress: [{type: click, target: "#pay"}]
                    within: 8s
                    withn: 9s                              # line 9
                """);

        assertThat(problems)
                .extracting(p -> p.ruleId, p -> p.field, p -> p.line)
                .containsExactly(tuple("checkout-stall", "withn", 9));
        assertThat(problems.get(0).message).contains("unknown field");
    }

    @Test
    void anUnknownTopLevelOrDeliveryFieldIsReported() {
        List<RuleProblem> problems =
                problemsOf(
                        """
                version: 1
                delivery:
                  ttl: 10m
                  maxPerHour: 3                            # line 4
                rulez: []                                  # line 5
                rules: []
                """);

        assertThat(problems)
                .extracting(p -> p.ruleId, p -> p.field, p -> p.line)
                .containsExactlyInAnyOrder(
                        tuple(null, "delivery.maxPerHour", 4), tuple(null, "rulez", 5));
    }

    @Test
    void anUnknownEventFieldInAMatcherIsReported() {
        List<RuleProblem> problems =
                problemsOf(
                        """
                version: 1
                rules:
                  - id: checkout-stall
                    guide: checkout-help
                    kind: stall
                    start: {type: page_view, url: /checkout}  # line 6
                    progress: [{type: click, target: "#pay"}]
                    within: 8s
                """);

        assertThat(problems)
                .extracting(p -> p.ruleId, p -> p.field, p -> p.line)
                .containsExactly(tuple("checkout-stall", "start.url", 6));
    }

    @ParameterizedTest(name = "within: {0}")
    @ValueSource(strings = {"8", "\"abc\"", "8 seconds", "[8s]"})
    void aWithinThatIsNotADurationIsTheWrongType(String within) {
        List<RuleProblem> problems =
                problemsOf(
                        """
                version: 1
                rules:
                  - id: checkout-stall
                    guide: checkout-help
                    kind: stall
                    start: {type: page_view, page: /checkout}
                    progress: [{type: click, target: "#pay"}]
                    within: %s                                # line 8
                """
                                .formatted(within));

        assertThat(problems)
                .extracting(p -> p.ruleId, p -> p.field, p -> p.line)
                .containsExactly(tuple("checkout-stall", "within", 8));
    }

    @Test
    void otherWrongTypesAreReportedWithTheirLines() {
        List<RuleProblem> problems =
                problemsOf(
                        """
                version: 1
                rules:
                  - id: checkout-stall
                    guide: 42                                  # line 4
                    kind: stall
                    start: page_view                           # line 6
                    progress: {type: click, target: "#pay"}    # line 7
                    within: 8s
                    priority: high                             # line 9
                """);

        assertThat(problems)
                .extracting(p -> p.ruleId, p -> p.field, p -> p.line)
                .containsExactlyInAnyOrder(
                        tuple("checkout-stall", "guide", 4),
                        tuple("checkout-stall", "start", 6),
                        tuple("checkout-stall", "progress", 7),
                        tuple("checkout-stall", "priority", 9));
    }

    @Test
    void aMissingStartIsReportedAtTheRule() {
        List<RuleProblem> problems =
                problemsOf(
                        """
                version: 1
                rules:
                  - id: checkout-stall                         # line 3
                    guide: checkout-help
                    kind: stall
                    progress: [{type: click, target: "#pay"}]
                    within: 8s
                """);

        assertThat(problems)
                .extracting(p -> p.ruleId, p -> p.field, p -> p.line)
                .containsExactly(tuple("checkout-stall", "start", 3));
        assertThat(problems.get(0).message).contains("missing");
    }

    @Test
    void eachMissingRequiredFieldIsReported() {
        List<RuleProblem> problems =
                problemsOf(
                        """
                version: 1
                rules:
                  - id: checkout-stall                         # line 3
                    kind: stall
                """);

        assertThat(problems)
                .extracting(p -> p.ruleId, p -> p.field, p -> p.line)
                .containsExactlyInAnyOrder(
                        tuple("checkout-stall", "guide", 3),
                        tuple("checkout-stall", "start", 3),
                        tuple("checkout-stall", "progress", 3),
                        tuple("checkout-stall", "within", 3));
    }

    @Test
    void aDuplicateIdIsReportedAtTheSecondUseAndNamesTheFirst() {
        List<RuleProblem> problems =
                problemsOf(
                        """
                version: 1
                rules:
                  - id: checkout-stall                         # line 3
                    guide: checkout-help
                    kind: stall
                    start: {type: page_view, page: /checkout}
                    progress: [{type: click, target: "#pay"}]
                    within: 8s
                  - id: checkout-stall                         # line 9
                    guide: checkout-help-again
                    kind: stall
                    start: {type: page_view, page: /checkout/address}
                    progress: [{type: click, target: "#next"}]
                    within: 20s
                """);

        assertThat(problems)
                .extracting(p -> p.ruleId, p -> p.field, p -> p.line)
                .containsExactly(tuple("checkout-stall", "id", 9));
        assertThat(problems.get(0).message).contains("duplicate").contains("line 3");
    }

    @ParameterizedTest(name = "within: {0}")
    @ValueSource(strings = {"0s", "0ms", "-5s", "-1d"})
    void aZeroOrNegativeWithinIsImpossible(String within) {
        List<RuleProblem> problems =
                problemsOf(
                        """
                version: 1
                rules:
                  - id: checkout-stall
                    guide: checkout-help
                    kind: stall
                    start: {type: page_view, page: /checkout}
                    progress: [{type: click, target: "#pay"}]
                    within: %s                                # line 8
                """
                                .formatted(within));

        assertThat(problems)
                .extracting(p -> p.ruleId, p -> p.field, p -> p.line)
                .containsExactly(tuple("checkout-stall", "within", 8));
        assertThat(problems.get(0).message).contains("positive");
    }

    @Test
    void impossibleDeliverySettingsAreReported() {
        List<RuleProblem> problems =
                problemsOf(
                        """
                version: 1
                delivery:
                  ttl: 0s                                      # line 3
                  minGap: -2m                                  # line 4
                  maxPerDay: 0                                 # line 5
                  cooldown: 1d
                rules: []
                """);

        assertThat(problems)
                .extracting(p -> p.ruleId, p -> p.field, p -> p.line)
                .containsExactlyInAnyOrder(
                        tuple(null, "delivery.ttl", 3),
                        tuple(null, "delivery.minGap", 4),
                        tuple(null, "delivery.maxPerDay", 5));
    }

    @Test
    void anUnknownKindIsReported() {
        List<RuleProblem> problems =
                problemsOf(
                        """
                version: 1
                rules:
                  - id: checkout-stall
                    guide: checkout-help
                    kind: stal                                 # line 5
                    start: {type: page_view, page: /checkout}
                    progress: [{type: click, target: "#pay"}]
                    within: 8s
                """);

        assertThat(problems)
                .extracting(p -> p.ruleId, p -> p.field, p -> p.line)
                .containsExactly(tuple("checkout-stall", "kind", 5));
        assertThat(problems.get(0).message).contains("stal").contains("stall");
    }

    @ParameterizedTest(name = "id: {0}")
    @ValueSource(strings = {"Checkout-Stall", "checkout_stall", "checkout stall", "\"\"", "42"})
    void anIdOutsideTheAllowedPatternIsReported(String id) {
        List<RuleProblem> problems =
                problemsOf(
                        """
                version: 1
                rules:
                  - id: %s                                     # line 3
                    guide: checkout-help
                    kind: stall
                    start: {type: page_view, page: /checkout}
                    progress: [{type: click, target: "#pay"}]
                    within: 8s
                """
                                .formatted(id));

        assertThat(problems).extracting(p -> p.field, p -> p.line).containsExactly(tuple("id", 3));
        assertThat(problems.get(0).message).contains("[a-z0-9-]+");
    }

    @Test
    void yamlThatDoesNotParseIsReportedWithItsLine() {
        List<RuleProblem> problems =
                problemsOf(
                        """
                version: 1
                rules:
                  - id: checkout-stall
                    guide: checkout-help
                    kind: stall
                    start: {type: page_view, page: /checkout   # line 6: the flow map is never closed
                    within: 8s
                """);

        assertThat(problems).hasSize(1);
        assertThat(problems.get(0).message).contains("not valid YAML");
        // the mistake is found on line 7, but the line to fix is where the unclosed map opens
        assertThat(problems.get(0).line).isEqualTo(6);
    }

    // ---- several problems at once ----

    @Test
    void aFileWithSeveralProblemsReportsAllOfThem() {
        RuleValidationException e =
                rejected(
                        """
                version: 1
                delivery:
                  maxPerDay: 0                                 # line 3
                rules:
                  - id: checkout-stall                         # line 5
                    guide: checkout-help
                    kind: stall
                    start: {type: page_view, page: /checkout}
                    progress: [{type: click, target: "#pay"}]
                    within: 0s                                 # line 10
                  - id: checkout-stall                         # line 11
                    guide: checkout-help-again
                    kind: stall
                    start: {type: page_view, page: /checkout}
                    progress: [{type: click, target: "#pay"}]
                    within: 8s
                    colour: red                                # line 17
                  - id: search-stall                           # line 18
                    kind: stall
                    start: {type: input, target: "#search"}
                    progress: [{type: click, target: "#result*"}]
                """);

        assertThat(e.problems()).hasSize(6);
        assertThat(e.problems())
                .extracting(p -> p.ruleId, p -> p.field, p -> p.line)
                .containsExactlyInAnyOrder(
                        tuple(null, "delivery.maxPerDay", 3),
                        tuple("checkout-stall", "within", 10),
                        tuple("checkout-stall", "id", 11),
                        tuple("checkout-stall", "colour", 17),
                        tuple("search-stall", "guide", 18),
                        tuple("search-stall", "within", 18));
        assertThat(e.getMessage())
                .startsWith("rules.yaml: 6 problems")
                .contains("line 10: rule 'checkout-stall', field 'within': ")
                .contains("line 17: rule 'checkout-stall', field 'colour': ")
                .contains("line 18: rule 'search-stall', field 'guide': ");
    }

    // ---- fixtures ----

    private static Event event(String type, String page, String target) {
        return new Event("e-1", "u-1", "s-1", T0, type, page, target, null);
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
