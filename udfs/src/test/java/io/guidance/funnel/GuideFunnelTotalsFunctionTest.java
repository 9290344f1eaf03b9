package io.guidance.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Totals per rule and guide, published at most once a second, kept across a restore. */
class GuideFunnelTotalsFunctionTest {

    static KeyedOneInputStreamOperatorTestHarness<String, FunnelStep, GuideFunnelTotals> open(
            OperatorSubtaskState restored) throws Exception {
        var h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new GuideFunnelTotalsFunction()),
                        (FunnelStep s) -> s.ruleId,
                        Types.STRING);
        h.setup();
        if (restored != null) {
            h.initializeState(restored);
        }
        h.open();
        return h;
    }

    static void step(
            KeyedOneInputStreamOperatorTestHarness<String, FunnelStep, GuideFunnelTotals> h,
            String rule,
            String guide,
            String measure)
            throws Exception {
        h.processElement(new StreamRecord<>(new FunnelStep(rule, guide, measure), 0L));
    }

    @Test
    void countsPerRuleAndGuideArePublishedOnceASecondAndSurviveARestore() throws Exception {
        var h = open(null);
        h.setProcessingTime(500);
        step(h, "cart", "short", "delivered");
        step(h, "cart", "short", "delivered");
        step(h, "cart", "long", "suppressed:control");
        step(h, "cart", "short", "shown");
        step(h, "rage", "help", "delivered");
        assertThat(h.extractOutputValues()).as("nothing before the second ends").isEmpty();
        h.setProcessingTime(1_000);
        List<GuideFunnelTotals> out = h.extractOutputValues();
        assertThat(out).hasSize(2); // one per rule
        GuideFunnelTotals cart =
                out.stream().filter(t -> t.ruleId.equals("cart")).findFirst().get();
        assertThat(cart.guides).containsExactly("short", "long");
        assertThat(cart.countOf("short", "delivered")).isEqualTo(2);
        assertThat(cart.countOf("long", "suppressed:control")).isEqualTo(1);
        assertThat(cart.countOf("short", "shown")).isEqualTo(1);
        assertThat(cart.countOf("long", "shown")).isZero();
        h.getOutput().clear();
        h.setProcessingTime(5_000);
        assertThat(h.extractOutputValues()).as("nothing new, nothing published").isEmpty();

        OperatorSubtaskState snapshot = h.snapshot(1L, 5_000);
        h.close();
        h = open(snapshot);
        h.setProcessingTime(6_500);
        step(h, "cart", "short", "clicked");
        h.setProcessingTime(7_000);
        GuideFunnelTotals again = h.extractOutputValues().get(0);
        assertThat(again.countOf("short", "delivered")).isEqualTo(2);
        assertThat(again.countOf("short", "clicked")).isEqualTo(1);
        h.close();
    }
}
