package io.guidance.experiment;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.detect.LiveRulesFunction;
import io.guidance.rules.PublishedRules;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import io.guidance.rules.RulesUpdate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The published experiment totals carry each arm's share and the control arm under the rules in
 * force (SPEC section 7: variants plus control per rule; the program's {@code treated} = 100 -
 * holdout and {@code holdout}); an arm no longer configured gets 0.
 */
class ExperimentSharesTest {
    static final long T0 = 1_700_000_000_000L;

    static String yaml(int version, String variants, int control, int holdout) {
        return "version: "
                + version
                + "\ndelivery: {holdout: "
                + holdout
                + ", goal: {type: purchase}}\n"
                + "rules:\n"
                + "  - id: cart-stall\n"
                + "    guide: cart-reminder\n"
                + "    kind: stall\n"
                + "    start: {type: add_to_cart}\n"
                + "    progress: [{type: purchase}]\n"
                + "    within: 30m\n"
                + "    experiment:\n"
                + "      variants: {"
                + variants
                + "}\n"
                + "      control: "
                + control
                + "\n"
                + "      goal: {type: purchase}\n"
                + "      window: 1d\n";
    }

    static Map<String, Integer> shares(ExperimentTotals t) {
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < t.shareArms.length; i++) {
            m.put(t.shareArms[i], t.shares[i]);
        }
        return m;
    }

    static ExperimentRecord exposure(String experiment, String salt, String arm, String user) {
        ExperimentRecord r = new ExperimentRecord();
        r.experiment = experiment;
        r.salt = salt;
        r.arm = arm;
        r.userId = user;
        r.record = ExperimentRecord.EXPOSURE;
        r.ts = T0;
        r.exposedAt = T0;
        r.triggerId = "t-" + user;
        return r;
    }

    @Test
    void sharesFollowTheRulesInForceAndAnArmNoLongerConfiguredGetsZero() throws Exception {
        RuleSet start = RulesParser.parse(yaml(1, "a: 40, b: 40", 20, 5), "test");
        var h =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                new ExperimentTotalsFunction(start, 0),
                                List.of(LiveRulesFunction.LIVE_RULES)),
                        (ExperimentRecord r) -> r.experiment,
                        Types.STRING,
                        1,
                        1,
                        0);
        h.setup();
        h.open();
        h.setProcessingTime(0);
        h.processElement(new StreamRecord<>(exposure("cart-stall", "cart-stall", "b", "u1"), T0));
        h.processElement(new StreamRecord<>(exposure("program", "holdout", "treated", "u1"), T0));
        h.setProcessingTime(1_000);
        Map<String, ExperimentTotals> out = new HashMap<>();
        for (ExperimentTotals t : h.extractOutputValues()) {
            out.put(t.experiment, t);
        }
        assertThat(shares(out.get("cart-stall")))
                .isEqualTo(Map.of("a", 40, "b", 40, "control", 20));
        assertThat(out.get("cart-stall").controlArm).isEqualTo("control");
        assertThat(shares(out.get("program"))).isEqualTo(Map.of("treated", 95, "holdout", 5));
        assertThat(out.get("program").controlArm).isEqualTo("holdout");
        h.getOutput().clear();

        // version 2 drops variant b and changes the holdout: republished at once
        byte[] raw =
                new PublishedRules(2, "ana@laptop", T0, yaml(2, "a: 70", 30, 10)).toJsonBytes();
        h.processBroadcastElement(new RulesUpdate(raw, "guidance-rules", 0, 0), T0);
        out.clear();
        for (ExperimentTotals t : h.extractOutputValues()) {
            out.put(t.experiment, t);
        }
        assertThat(shares(out.get("cart-stall"))).isEqualTo(Map.of("a", 70, "b", 0, "control", 30));
        assertThat(out.get("cart-stall").exposedOf("b")).isEqualTo(1);
        assertThat(shares(out.get("program"))).isEqualTo(Map.of("treated", 90, "holdout", 10));
        h.close();
    }
}
