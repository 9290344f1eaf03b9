package io.guidance.bench;

import io.guidance.bench.LatencyResult.RateRun;
import io.guidance.rules.StallRule;
import io.guidance.trigger.Trigger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Matches every delivered trigger of a run's audit topic with the moment its write became readable
 * in Redis, and sorts the latencies into those caused by an event, stalls, the warm-up and those
 * after the input.
 */
final class TriggerLatencies {
    private TriggerLatencies() {}

    /**
     * Fills the counts, trace and latencies of {@code r}. Triggers with {@code ts} before {@code
     * windowFrom} are the warm-up; after {@code windowTo}, they are "after the input".
     */
    static void measure(
            RateRun r,
            List<Trigger> audit,
            Map<String, Long> readableAt,
            Map<String, String> kindOf,
            long windowFrom,
            long windowTo) {
        Map<String, Trigger> delivered = new LinkedHashMap<>();
        long suppressed = 0;
        List<Trigger> all = new ArrayList<>(audit);
        all.sort((a, b) -> Long.compare(a.ts, b.ts));
        for (Trigger t : all) {
            if (t.isDelivered()) {
                delivered.putIfAbsent(t.triggerId, t);
            } else {
                suppressed++;
            }
            Long at = readableAt.get(t.triggerId);
            r.trace.add(
                    (t.ts - windowFrom)
                            + ","
                            + t.ruleId
                            + ","
                            + t.kind
                            + ","
                            + t.status
                            + ","
                            + (at == null || !t.isDelivered() ? "" : Long.toString(at - t.ts)));
        }
        List<Trigger> ordered = new ArrayList<>(delivered.values());
        ordered.sort((a, b) -> Long.compare(a.ts, b.ts));
        List<Long> caused = new ArrayList<>();
        List<Long> stalls = new ArrayList<>();
        List<Long> after = new ArrayList<>();
        long readable = 0;
        long warmup = 0;
        for (Trigger t : ordered) {
            Long at = readableAt.get(t.triggerId);
            if (at == null) {
                continue;
            }
            readable++;
            long latency = at - t.ts;
            String kind = kindOf.getOrDefault(t.ruleId, t.kind);
            if (t.ts < windowFrom) {
                warmup++;
            } else if (t.ts > windowTo) {
                after.add(latency);
            } else if (StallRule.KIND.equals(kind)) {
                stalls.add(latency);
            } else {
                caused.add(latency);
            }
        }
        r.delivered = delivered.size();
        r.suppressed = suppressed;
        r.readable = readable;
        r.warmup = warmup;
        r.caused = Latencies.of(caused);
        r.stalls = Latencies.of(stalls);
        r.afterInput = Latencies.of(after);
    }
}
