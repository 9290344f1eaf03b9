package io.guidance.pipeline.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.experiment.ExperimentTotals;
import io.guidance.funnel.FunnelStep;
import io.guidance.funnel.GuideFunnelTotals;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fields of the two hashes, as docs/live-totals.md lists them. */
class AbsoluteHashFieldsTest {

    @Test
    void aFunnelHashHoldsEveryStatusAndFeedbackMeasurePerGuideWithZeros() {
        GuideFunnelTotals t = new GuideFunnelTotals("cart-stall");
        t.count(new FunnelStep("cart-stall", "short", "delivered"));
        t.count(new FunnelStep("cart-stall", "short", "delivered"));
        t.count(new FunnelStep("cart-stall", "short", "shown"));
        t.count(new FunnelStep("cart-stall", "long", "suppressed:control"));

        Map<String, String> expected = new HashMap<>();
        for (String guide : new String[] {"short", "long"}) {
            for (String m :
                    new String[] {
                        "delivered",
                        "suppressed:dismissed",
                        "suppressed:cooldown",
                        "suppressed:min_gap",
                        "suppressed:daily_cap",
                        "suppressed:holdout",
                        "suppressed:control",
                        "shown",
                        "clicked",
                        "dismissed",
                        "completed"
                    }) {
                expected.put(guide + "/" + m, "0");
            }
        }
        expected.put("short/delivered", "2");
        expected.put("short/shown", "1");
        expected.put("long/suppressed:control", "1");
        expected.put("guides", "short,long");
        expected.put("updatedAt", "42");
        assertThat(AbsoluteHashRedisSink.funnelFields(t, 42)).isEqualTo(expected);
    }

    @Test
    void anExperimentHashKeepsItsFieldsAndAddsSharesAndTheControlArm() {
        ExperimentTotals t = new ExperimentTotals("cart-stall", "s1", 0);
        t.arms = new String[] {"b", "control"};
        t.exposed = new long[] {3, 2};
        t.converted = new long[] {1, 0};
        t.controlArm = "control";
        t.shareArms = new String[] {"b", "control", "a"};
        t.shares = new int[] {0, 30, 70};
        assertThat(AbsoluteHashRedisSink.experimentFields(t, 7))
                .isEqualTo(
                        Map.ofEntries(
                                Map.entry("salt", "s1"),
                                Map.entry("arms", "b,control"),
                                Map.entry("b:exposed", "3"),
                                Map.entry("b:converted", "1"),
                                Map.entry("control:exposed", "2"),
                                Map.entry("control:converted", "0"),
                                Map.entry("b:share", "0"),
                                Map.entry("control:share", "30"),
                                Map.entry("a:share", "70"),
                                Map.entry("controlArm", "control"),
                                Map.entry("updatedAt", "7")));
    }
}
