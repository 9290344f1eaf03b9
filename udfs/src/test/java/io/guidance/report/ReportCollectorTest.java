package io.guidance.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.Event;
import io.guidance.experiment.Experiment;
import io.guidance.experiment.ExperimentRecord;
import io.guidance.experiment.stats.ArmCounts;
import io.guidance.rules.DeliverySettings;
import io.guidance.rules.Glob;
import io.guidance.rules.Matcher;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import io.guidance.trigger.Trigger;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The numbers of {@code guidance report}, each expected value counted by hand from the fixtures
 * below: the backtest per rule, the guide funnel (once per trigger id, unknown ids apart) and the
 * experiment tallies (distinct users per arm, shares from the rules).
 */
class ReportCollectorTest {
    private static final long JAN_1_10H = Instant.parse("2026-01-01T10:00:00Z").toEpochMilli();
    private static final long JAN_1_LAST_MS =
            Instant.parse("2026-01-01T23:59:59.999Z").toEpochMilli();
    private static final long JAN_2_MIDNIGHT = Instant.parse("2026-01-02T00:00:00Z").toEpochMilli();
    private static final long JAN_2_NOON = Instant.parse("2026-01-02T12:00:00Z").toEpochMilli();
    private static final long JAN_4_NOON = Instant.parse("2026-01-04T12:00:00Z").toEpochMilli();

    private static final String RULES =
            """
            version: 1
            delivery: {ttl: 10m, minGap: 2m, maxPerDay: 5, cooldown: 1d}
            rules:
              - id: rage-click
                guide: help-widget
                kind: burst
                match: {type: click}
                count: 3
                within: 1s
              - id: cart-stall
                guide: cart-help
                kind: stall
                start: {type: add_to_cart}
                progress: [{type: purchase}]
                within: 30m
              - id: quiet-rule
                guide: nothing
                kind: comeback
                gap: 14d
            """;

    private static Trigger trigger(String rule, String guide, String user, long ts, String status) {
        Trigger t = new Trigger();
        t.ruleId = rule;
        t.guide = guide;
        t.userId = user;
        t.ts = ts;
        t.status = status;
        t.triggerId = Trigger.triggerId(rule, user, "s-" + user, ts);
        return t;
    }

    private static Event feedback(String type, String triggerId) {
        Map<String, String> props = new LinkedHashMap<>();
        if (triggerId != null) {
            props.put("triggerId", triggerId);
        }
        return new Event("e-" + type + triggerId, "u", "s", 1L, type, null, null, props);
    }

    /** Seven triggers of cart-stall over two UTC days (one sent twice), one of rage-click. */
    private static final List<Trigger> TRIGGERS =
            List.of(
                    trigger("cart-stall", "cart-help", "u1", JAN_1_10H, "delivered"),
                    trigger("cart-stall", "cart-help", "u1", JAN_1_LAST_MS, "delivered"),
                    trigger("cart-stall", "cart-help", "u1", JAN_2_MIDNIGHT, "delivered"),
                    trigger("cart-stall", "cart-help", "u2", JAN_1_10H, "suppressed:cooldown"),
                    trigger("cart-stall", "cart-short", "u2", JAN_2_NOON, "delivered"),
                    trigger("cart-stall", "cart-help", "u3", JAN_2_NOON, "suppressed:min_gap"),
                    trigger("cart-stall", "cart-help", "u3", JAN_4_NOON, "suppressed:cooldown"),
                    // the audit topic is written at least once: the same trigger again
                    trigger("cart-stall", "cart-help", "u1", JAN_1_10H, "delivered"),
                    trigger("rage-click", "help-widget", "u1", JAN_2_NOON, "delivered"));

    private static RuleSet rules() throws Exception {
        return RulesParser.parse(RULES, "rules.yaml");
    }

    private static ReportCollector collected() {
        ReportCollector c = new ReportCollector();
        TRIGGERS.forEach(c::addTrigger);
        return c;
    }

    private static RuleBacktest rule(GuidanceReport r, String id) {
        return r.rules().stream().filter(b -> b.ruleId().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void backtestCountsEachTriggerOnceByStatusAndUtcDay() throws Exception {
        GuidanceReport r = collected().report(rules());
        RuleBacktest cart = rule(r, "cart-stall");

        assertThat(cart.triggers()).isEqualTo(7);
        assertThat(cart.byStatus())
                .containsExactlyEntriesOf(
                        new java.util.TreeMap<>(
                                Map.of(
                                        "delivered", 4L,
                                        "suppressed:cooldown", 2L,
                                        "suppressed:min_gap", 1L)));
        // 23:59:59.999 is still 1 January in UTC, midnight is 2 January; 3 January had none
        assertThat(cart.perDay().keySet())
                .containsExactly("2026-01-01", "2026-01-02", "2026-01-04");
        assertThat(cart.perDay().get("2026-01-01"))
                .isEqualTo(Map.of("delivered", 2L, "suppressed:cooldown", 1L));
        assertThat(cart.perDay().get("2026-01-02"))
                .isEqualTo(Map.of("delivered", 2L, "suppressed:min_gap", 1L));
        assertThat(cart.perDay().get("2026-01-04")).isEqualTo(Map.of("suppressed:cooldown", 1L));
        // u1 and u2 had a delivered trigger; u3 only suppressed ones
        assertThat(cart.usersReached()).isEqualTo(2);
        // u1 got two on 1 January
        assertThat(cart.maxGuidesPerUserDay()).isEqualTo(2);
        assertThat(cart.suppressions()).isEqualTo(Map.of("cooldown", 2L, "min_gap", 1L));

        RuleBacktest rage = rule(r, "rage-click");
        assertThat(rage.triggers()).isEqualTo(1);
        assertThat(rage.usersReached()).isEqualTo(1);
        assertThat(rage.maxGuidesPerUserDay()).isEqualTo(1);
        assertThat(rage.suppressions()).isEmpty();
    }

    @Test
    void rulesComeInTheOrderOfTheRulesFileThenTheUnknownOnes() throws Exception {
        ReportCollector c = collected();
        c.addTrigger(trigger("old-rule", "gone", "u9", JAN_1_10H, "delivered"));
        GuidanceReport r = c.report(rules());

        assertThat(r.rules())
                .extracting(RuleBacktest::ruleId)
                .containsExactly("rage-click", "cart-stall", "quiet-rule", "old-rule");
        assertThat(r.rules())
                .extracting(RuleBacktest::inRules)
                .containsExactly(true, true, true, false);
        RuleBacktest quiet = rule(r, "quiet-rule");
        assertThat(quiet.triggers()).isZero();
        assertThat(quiet.usersReached()).isZero();
        assertThat(quiet.funnel()).isEmpty();
    }

    @Test
    void funnelCountsFeedbackOncePerTriggerIdAndUnknownIdsApart() throws Exception {
        ReportCollector c = collected();
        String t1 = TRIGGERS.get(0).triggerId;
        String t2 = TRIGGERS.get(1).triggerId;
        String short1 = TRIGGERS.get(4).triggerId;
        String rage = TRIGGERS.get(8).triggerId;
        c.addEvent(feedback("guide_shown", t1));
        c.addEvent(feedback("guide_shown", t1)); // shown twice: one trigger shown
        c.addEvent(feedback("guide_clicked", t1));
        c.addEvent(feedback("guide_shown", t2));
        c.addEvent(feedback("guide_completed", t2));
        c.addEvent(feedback("guide_shown", short1));
        c.addEvent(feedback("guide_dismissed", short1));
        c.addEvent(feedback("guide_dismissed", rage));
        c.addEvent(feedback("guide_dismissed", "cart-stall|u9|-|1")); // no such trigger
        c.addEvent(feedback("guide_shown", "nope"));
        c.addEvent(feedback("guide_shown", null)); // no props.triggerId
        c.addEvent(new Event("pv", "u1", "s", 1L, "page_view", "/cart", null, null));
        GuidanceReport r = c.report(rules());

        List<GuideFunnel> cart = rule(r, "cart-stall").funnel();
        assertThat(cart).extracting(GuideFunnel::guide).containsExactly("cart-help", "cart-short");
        GuideFunnel help = cart.get(0);
        assertThat(help.triggers()).isEqualTo(6);
        assertThat(help.byStatus())
                .isEqualTo(
                        Map.of(
                                "delivered", 3L,
                                "suppressed:cooldown", 2L,
                                "suppressed:min_gap", 1L));
        assertThat(help.delivered()).isEqualTo(3);
        assertThat(help.shown()).isEqualTo(2); // t1 and t2
        assertThat(help.clicked()).isEqualTo(1);
        assertThat(help.completed()).isEqualTo(1);
        assertThat(help.dismissed()).isZero();
        GuideFunnel shorter = cart.get(1);
        assertThat(shorter.triggers()).isEqualTo(1);
        assertThat(shorter.shown()).isEqualTo(1);
        assertThat(shorter.dismissed()).isEqualTo(1);
        assertThat(shorter.clicked()).isZero();
        GuideFunnel widget = rule(r, "rage-click").funnel().get(0);
        assertThat(widget.dismissed()).isEqualTo(1);
        assertThat(widget.shown()).isZero();

        // 8 events named a trigger read; 2 named none; 1 named nothing
        assertThat(r.feedbackEvents()).isEqualTo(8);
        assertThat(r.unmatchedFeedback()).isEqualTo(2);
        assertThat(r.feedbackWithoutTriggerId()).isEqualTo(1);
    }

    @Test
    void tallyCountsDistinctUsersPerArmWithSharesFromTheRules() throws Exception {
        RuleSet parsed = rules();
        Matcher purchase = new Matcher(Map.of("type", List.of(new Glob("purchase"))));
        Map<String, Integer> variants = new LinkedHashMap<>();
        variants.put("cart-short", 40);
        variants.put("cart-help", 40);
        Experiment cart =
                new Experiment("cart-stall", variants, 20, purchase, 86_400_000L, "cart-v2");
        DeliverySettings d = parsed.delivery;
        RuleSet withExperiments =
                new RuleSet(
                        parsed.version,
                        new DeliverySettings(
                                d.ttlMs,
                                d.minGapMs,
                                d.maxPerDay,
                                d.cooldownMs,
                                10,
                                purchase,
                                604_800_000L),
                        parsed.rules,
                        Map.of("cart-stall", cart));
        ExperimentTally tally = new ExperimentTally();
        List.of(
                        exposure("cart-stall", "cart-v2", "cart-short", "u1"),
                        exposure("cart-stall", "cart-v2", "cart-short", "u1"), // again
                        exposure("cart-stall", "cart-v2", "cart-short", "u5"),
                        exposure("cart-stall", "cart-v2", "control", "u2"),
                        exposure("cart-stall", "cart-v2", "control", "u3"),
                        exposure("cart-stall", "cart-v2", "control", "u4"),
                        conversion("cart-stall", "cart-v2", "cart-short", "u1"),
                        conversion("cart-stall", "cart-v2", "cart-short", "u1"), // again
                        conversion("cart-stall", "cart-v2", "control", "u3"),
                        // converted without an exposure read: not counted, counted apart
                        conversion("cart-stall", "cart-v2", "control", "u9"),
                        // the rule's earlier salt: another experiment, not in the rules
                        exposure("cart-stall", "cart-v1", "control", "u7"),
                        exposure("cart-stall", "cart-v1", "cart-help", "u8"),
                        conversion("cart-stall", "cart-v1", "cart-help", "u8"),
                        exposure("program", "holdout", "treated", "u1"),
                        exposure("program", "holdout", "holdout", "u6"),
                        conversion("program", "holdout", "holdout", "u6"))
                .forEach(tally::add);

        List<ExperimentTally.Counts> counts = tally.counts(withExperiments);

        assertThat(counts)
                .extracting(ExperimentTally.Counts::experiment, ExperimentTally.Counts::salt)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("cart-stall", "cart-v2"),
                        org.assertj.core.groups.Tuple.tuple("program", "holdout"),
                        org.assertj.core.groups.Tuple.tuple("cart-stall", "cart-v1"));
        ExperimentTally.Counts v2 = counts.get(0);
        assertThat(v2.conversionsWithoutExposure()).isEqualTo(1);
        assertThat(v2.inRules()).isTrue();
        assertThat(v2.controlArm()).isEqualTo("control");
        // arms as written: the variants in order, then control; cart-help has no exposure yet
        assertThat(v2.arms())
                .containsExactly(
                        new ArmCounts("cart-short", 40, 2, 1),
                        new ArmCounts("cart-help", 40, 0, 0),
                        new ArmCounts("control", 20, 3, 1));
        ExperimentTally.Counts program = counts.get(1);
        assertThat(program.controlArm()).isEqualTo("holdout");
        assertThat(program.arms())
                .containsExactly(
                        new ArmCounts("treated", 90, 1, 0), new ArmCounts("holdout", 10, 1, 1));
        ExperimentTally.Counts v1 = counts.get(2);
        assertThat(v1.inRules()).isFalse();
        assertThat(v1.controlArm()).isEqualTo("control");
        // share unknown: 0; control last
        assertThat(v1.arms())
                .containsExactly(
                        new ArmCounts("cart-help", 0, 1, 1), new ArmCounts("control", 0, 1, 0));
    }

    @Test
    void theReportNamesTheExperimentsThatAreNotInTheRules() throws Exception {
        ReportCollector c = collected();
        c.addRecord(exposure("gone-rule", "gone-rule", "x", "u1"));
        c.addRecord(exposure("gone-rule", "gone-rule", "control", "u2"));
        GuidanceReport r = c.report(rules());

        assertThat(r.experimentsNotInRules()).containsExactly("gone-rule (salt gone-rule)");
        assertThat(r.experiments()).hasSize(1);
        assertThat(r.experiments().get(0).experiment()).isEqualTo("gone-rule");
        assertThat(r.experiments().get(0).arms())
                .extracting(a -> a.arm() + ":" + a.share() + ":" + a.exposed())
                .containsExactly("x:0:1", "control:0:1");
    }

    @Test
    void badLinesAreCountedWithTheirPositionAndTheRestIsRead() throws Exception {
        ReportCollector c = new ReportCollector();
        c.addTriggerLine(
                "{\"triggerId\":\"r|u|-|1\",\"ruleId\":\"r\",\"guide\":\"g\",\"userId\":\"u\","
                        + "\"ts\":1,\"status\":\"delivered\"}",
                "line 1");
        c.addTriggerLine("not json", "line 2");
        c.addTriggerLine(
                "{\"triggerId\":\"r|u|-|2\",\"ruleId\":\"r\",\"guide\":\"g\",\"userId\":\"u\","
                        + "\"ts\":\"late\",\"status\":\"delivered\"}",
                "line 3");
        c.addTriggerLine(
                "{\"triggerId\":\"r|u|-|3\",\"ruleId\":\"r\",\"guide\":\"g\",\"userId\":\"u\","
                        + "\"ts\":3,\"status\":\"shown\"}",
                "line 4");
        c.addTriggerLine(new byte[] {'{', (byte) 0xc3, '}'}, "line 5");
        c.addRecordLine("{\"experiment\":\"r\"}", "line 1");
        c.addEventLine("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8), "line 9");
        GuidanceReport r = c.report(null);

        InputLines triggers = r.inputs().get(0);
        assertThat(triggers.name).isEqualTo("triggers");
        assertThat(triggers.read()).isEqualTo(5);
        assertThat(triggers.bad()).isEqualTo(4);
        assertThat(triggers.firstBad()).hasSize(4);
        assertThat(triggers.firstBad().get(0)).startsWith("line 2: not JSON");
        assertThat(triggers.firstBad().get(1)).startsWith("line 3: ").contains("ts");
        assertThat(triggers.firstBad().get(2)).startsWith("line 4: ").contains("status");
        assertThat(triggers.firstBad().get(3)).isEqualTo("line 5: not UTF-8");
        assertThat(r.inputs().get(1).bad()).isEqualTo(1);
        assertThat(r.inputs().get(1).firstBad().get(0)).startsWith("line 1: ");
        assertThat(r.inputs().get(2).bad()).isEqualTo(1);
        assertThat(r.inputs().get(2).firstBad().get(0)).startsWith("line 9: ");
        assertThat(rule(r, "r").triggers()).isEqualTo(1);
    }

    @Test
    void onlyTheFirstFewBadLinesAreNamed() {
        ReportCollector c = new ReportCollector();
        for (int i = 1; i <= 8; i++) {
            c.addTriggerLine("[" + i + "]", "line " + i);
        }
        InputLines triggers = c.report(null).inputs().get(0);
        assertThat(triggers.bad()).isEqualTo(8);
        assertThat(triggers.firstBad())
                .hasSize(InputLines.FIRST_BAD)
                .allSatisfy(b -> assertThat(b).contains("not a JSON object"));
        assertThat(triggers.firstBad().get(4)).startsWith("line 5: ");
    }

    private static ExperimentRecord exposure(String x, String salt, String arm, String user) {
        ExperimentRecord r = new ExperimentRecord();
        r.experiment = x;
        r.salt = salt;
        r.arm = arm;
        r.userId = user;
        r.record = ExperimentRecord.EXPOSURE;
        r.ts = JAN_1_10H;
        r.exposedAt = JAN_1_10H;
        r.triggerId = x + "|" + user + "|-|" + JAN_1_10H;
        return r;
    }

    private static ExperimentRecord conversion(String x, String salt, String arm, String user) {
        ExperimentRecord r = exposure(x, salt, arm, user);
        r.record = ExperimentRecord.CONVERSION;
        r.ts = JAN_2_NOON;
        r.triggerId = null;
        return r;
    }
}
