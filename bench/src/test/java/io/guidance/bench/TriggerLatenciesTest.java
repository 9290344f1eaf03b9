package io.guidance.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.trigger.Trigger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the latency benchmark matches an audit topic with the writes it saw in Redis. */
class TriggerLatenciesTest {
    private static final long FROM = 1_000;
    private static final long TO = 5_000;

    private static Trigger trigger(String rule, String kind, long ts, String status) {
        Trigger t = new Trigger();
        t.ruleId = rule;
        t.kind = kind;
        t.userId = "u1";
        t.ts = ts;
        t.status = status;
        t.triggerId = Trigger.triggerId(rule, "u1", null, ts);
        return t;
    }

    @Test
    void everyDeliveredTriggerIsCountedOnceAndFallsInOneGroup() {
        Trigger warmup = trigger("b", "burst", 500, Trigger.DELIVERED);
        Trigger caused = trigger("b", "burst", 2_000, Trigger.DELIVERED);
        Trigger stall = trigger("s", "stall", 3_000, Trigger.DELIVERED);
        Trigger unseen = trigger("l", "loop", 4_000, Trigger.DELIVERED);
        Trigger held = trigger("t", "threshold", 4_500, Trigger.SUPPRESSED_PREFIX + "cooldown");
        Trigger after = trigger("c", "comeback", 6_000, Trigger.DELIVERED);
        Map<String, Long> readableAt = new HashMap<>();
        readableAt.put(warmup.triggerId, 700L);
        readableAt.put(caused.triggerId, 2_300L);
        readableAt.put(stall.triggerId, 3_050L);
        readableAt.put(after.triggerId, 8_000L);
        Map<String, String> kindOf =
                Map.of("b", "burst", "s", "stall", "l", "loop", "t", "threshold", "c", "comeback");
        // the audit topic in arrival order, with the caused trigger written twice (a replay)
        List<Trigger> audit = List.of(after, caused, warmup, stall, caused, unseen, held);

        LatencyResult.RateRun r = new LatencyResult.RateRun();
        TriggerLatencies.measure(r, audit, readableAt, kindOf, FROM, TO);

        assertThat(r.delivered).isEqualTo(5);
        assertThat(r.suppressed).isEqualTo(1);
        assertThat(r.readable).as("all but the unseen one").isEqualTo(4);
        assertThat(r.warmup).isEqualTo(1);
        assertThat(r.caused.count).isEqualTo(1);
        assertThat(r.caused.max).isEqualTo(300);
        assertThat(r.stalls.count).isEqualTo(1);
        assertThat(r.stalls.p99).isEqualTo(50);
        assertThat(r.afterInput.count).isEqualTo(1);
        assertThat(r.afterInput.max).isEqualTo(2_000);
        assertThat(r.trace).as("one line per audit record, in ts order").hasSize(7);
        assertThat(r.trace.get(0)).isEqualTo("-500,b,burst,delivered,200");
        assertThat(r.trace.get(5)).isEqualTo("3500,t,threshold,suppressed:cooldown,");
    }
}
