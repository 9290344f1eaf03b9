package io.guidance.bench.jmh;

import static io.guidance.bench.jmh.Visits.step;

import io.guidance.detect.DetectionFunction;
import io.guidance.detect.DetectionSettings;
import io.guidance.event.Event;
import io.guidance.event.OutputTags;
import io.guidance.rules.RuleSet;
import io.guidance.trigger.Trigger;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One event through the detection engine, per detector: the {@link DetectionFunction} with one rule
 * of the demo shop (config/rules.yaml) runs in Flink's keyed operator harness on the heap state
 * backend (the job's default), and each operation hands it the next event of a {@link Visits}
 * stream made for that rule, then the watermark up to just before the following event, so the event
 * is evaluated within the operation. An operation is therefore the whole per-event step: dedup, the
 * wait for the watermark and its timer, the rule, the delivery policy for what fires, and the share
 * of stall deadlines and cleanup timers that the watermark passes.
 *
 * <p>{@code none} is the engine with no rule at all, on the stall rule's stream: what every event
 * costs before any detector runs.
 */
@State(Scope.Thread)
public class DetectorBenchmark {
    private static final long SECOND = 1_000L;
    private static final long MINUTE = 60 * SECOND;
    private static final long DAY = 24 * 60 * MINUTE;
    private static final Map<String, String> ITEM = Map.of("item", "1001", "category", "42");

    @Param({"none", "stall", "burst", "loop", "threshold", "comeback"})
    public String detector;

    private KeyedOneInputStreamOperatorTestHarness<String, Event, Trigger> harness;
    private Queue<Object> output;
    private Visits visits;
    private long events;
    private long triggers;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        RuleSet rules;
        switch (detector) {
            case "none":
                rules = new RuleSet(1, BenchData.demoRules().delivery, List.of());
                visits = checkoutVisits();
                break;
            case "stall":
                rules = BenchData.demoRule("checkout-stall");
                visits = checkoutVisits();
                break;
            case "burst":
                // rage-click: three clicks on one element within a second
                rules = BenchData.demoRule("rage-click");
                visits =
                        new Visits(
                                List.of(
                                        step(0, "click", "/item/1001", "#buy"),
                                        step(300, "click", "/item/1001", "#buy"),
                                        step(600, "click", "/item/1001", "#buy"), // fires
                                        step(2_000, "click", "/item/1001", "#size"),
                                        step(2_500, "click", "/item/1001", "#color"),
                                        step(4_000, "click", "/item/1001", "#size"),
                                        step(4_400, "click", "/item/1001", "#size"),
                                        step(4_800, "click", "/item/1001", "#size")), // fires
                                100,
                                100,
                                30 * SECOND,
                                10);
                break;
            case "loop":
                // item-loop: the same item page a third time within ten minutes; a refresh does not
                // count
                rules = BenchData.demoRule("item-loop");
                visits =
                        new Visits(
                                List.of(
                                        step(0, "page_view", "/item/1", null, ITEM),
                                        step(20 * SECOND, "page_view", "/item/2", null, ITEM),
                                        step(40 * SECOND, "page_view", "/item/1", null, ITEM),
                                        step(60 * SECOND, "page_view", "/item/3", null, ITEM),
                                        step(
                                                80 * SECOND,
                                                "page_view",
                                                "/item/1",
                                                null,
                                                ITEM), // fires
                                        step(100 * SECOND, "page_view", "/item/2", null, ITEM),
                                        step(
                                                110 * SECOND,
                                                "page_view",
                                                "/item/2",
                                                null,
                                                ITEM), // a refresh
                                        step(130 * SECOND, "page_view", "/item/4", null, ITEM)),
                                100,
                                SECOND,
                                5 * MINUTE,
                                10);
                break;
            case "threshold":
                // three-purchases: a purchase a day; nudges at one and two (and at each new
                // session), fires at three
                rules = BenchData.demoRule("three-purchases");
                visits =
                        new Visits(
                                List.of(
                                        step(0, "page_view", "/item/1001", null, ITEM),
                                        step(
                                                30 * SECOND,
                                                "add_to_cart",
                                                "/item/1001",
                                                "#add-to-cart",
                                                ITEM),
                                        step(60 * SECOND, "purchase", "/checkout", null, ITEM)),
                                100,
                                10 * SECOND,
                                DAY,
                                4);
                break;
            case "comeback":
                // welcome-back: a visit every two days and an hour, each after the first fires
                rules = BenchData.demoRule("welcome-back");
                visits =
                        new Visits(
                                List.of(
                                        step(0, "page_view", "/item/1", null, ITEM),
                                        step(30 * SECOND, "page_view", "/item/2", null, ITEM),
                                        step(60 * SECOND, "page_view", "/item/3", null, ITEM)),
                                100,
                                10 * SECOND,
                                2 * DAY + 60 * MINUTE,
                                4);
                break;
            default:
                throw new IllegalArgumentException("unknown detector " + detector);
        }
        harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new DetectionFunction(rules, DetectionSettings.defaults()),
                        e -> e.userId,
                        Types.STRING);
        output = harness.getOutput();
    }

    /**
     * checkout-stall: on the checkout page, then paying (cancels) or not moving on within 8 s
     * (fires).
     */
    private static Visits checkoutVisits() {
        return new Visits(
                List.of(
                        step(0, "page_view", "/item/1001", null, ITEM),
                        step(3 * SECOND, "page_view", "/checkout", null), // starts the wait
                        step(5 * SECOND, "click", "/checkout", "#pay"), // progress: cancels it
                        step(10 * SECOND, "page_view", "/checkout", null), // starts it again
                        step(12 * SECOND, "click", "/checkout", "#coupon"),
                        step(
                                20 * SECOND,
                                "click",
                                "/checkout",
                                "#coupon"), // the deadline at 18 s has fired
                        step(25 * SECOND, "page_view", "/item/1002", null, ITEM)),
                100,
                300,
                MINUTE,
                10);
    }

    @Benchmark
    public void onEvent() throws Exception {
        Event e = visits.next();
        harness.processElement(e, e.ts);
        harness.processWatermark(visits.nextTs() - 1);
        for (Object o : output) {
            if (o instanceof StreamRecord) {
                triggers++;
            }
        }
        output.clear();
        events++;
    }

    /**
     * The stream must have run as designed: no event dropped as late or duplicate, and triggers
     * unless no rule.
     */
    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        try {
            int dropped =
                    size(harness.getSideOutput(OutputTags.DEAD_LETTERS))
                            + size(harness.getSideOutput(OutputTags.DUPLICATES));
            if (dropped > 0) {
                throw new IllegalStateException(
                        detector + ": " + dropped + " events dropped as late or duplicate");
            }
            if (events > visits.eventsPerCycle() && (triggers == 0) != detector.equals("none")) {
                throw new IllegalStateException(
                        detector + ": " + triggers + " triggers from " + events + " events");
            }
        } finally {
            harness.close();
        }
    }

    private static int size(Queue<?> q) {
        return q == null ? 0 : q.size();
    }
}
