package io.guidance.detect;

import static io.guidance.detect.DetectionHarness.ALICE;
import static io.guidance.detect.DetectionHarness.MINUTE;
import static io.guidance.detect.DetectionHarness.SECOND;
import static io.guidance.detect.DetectionHarness.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.Event;
import io.guidance.trigger.Trigger;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/**
 * A savepoint taken before the inbox held the waiting events by ts in {@code pending-events}, the
 * sweep time in {@code next-cleanup}, and a timer per waiting instant. Restored into today's
 * engine, the waiting events still run and the old state is gone once it moved.
 */
class LegacyStateLayoutTest {
    private static final String CHECKOUT_STALL =
            """
              - id: checkout-stall
                kind: stall
                guide: checkout-help
                start: {type: page_view, page: /checkout}
                progress: [{type: click, target: "#pay"}]
                within: 8s
            """;

    @Test
    void waitingEventsOfTheOldLayoutStillRunAndTheOldStateIsCleared() throws Exception {
        Event view = new Event("e-1", ALICE, "s1", T0, "page_view", "/checkout", null, null);
        Event laterView =
                new Event(
                        "e-2", ALICE, "s1", T0 + 2 * SECOND, "page_view", "/checkout", null, null);
        try (KeyedOneInputStreamOperatorTestHarness<String, Event, Trigger> restored =
                restoredFrom(snapshotOf(new OldLayout(), view, laterView))) {
            restored.processWatermark(T0 + 10 * SECOND - 1);
            assertThat(restored.extractOutputValues()).isEmpty();
            // the second view restarted the wait: the trigger is at its deadline, 8 s after it
            restored.processWatermark(T0 + 10 * SECOND);
            assertThat(restored.extractOutputValues())
                    .extracting(t -> t.ruleId + "@" + t.ts)
                    .containsExactly("checkout-stall@" + (T0 + 10 * SECOND));

            // after the delivery memory ends nothing is left, old layout included
            restored.processWatermark(T0 + 2 * DetectionHarness.DAY + MINUTE);
            assertThat(restored.numKeyedStateEntries()).isZero();
            assertThat(restored.numEventTimeTimers()).isZero();
        }
    }

    @Test
    void anOpenStallWaitAndTheSessionOfTheOldLayoutMoveIntoTheInbox() throws Exception {
        // the page view at T0 already ran: what is left is its wait, its session, the sweep time,
        // and their timers
        long deadline = T0 + 8 * SECOND;
        long sweep = DetectionEngine.roundUp(T0 + 30 * MINUTE);
        Event view = new Event("e-1", ALICE, "s1", T0, "page_view", "/checkout", null, null);
        try (KeyedOneInputStreamOperatorTestHarness<String, Event, Trigger> restored =
                restoredFrom(snapshotOf(new OldWait(deadline, sweep), view))) {
            restored.processWatermark(deadline);
            assertThat(restored.extractOutputValues())
                    .extracting(t -> t.ruleId + "@" + t.ts + " " + t.sessionId)
                    .containsExactly("checkout-stall@" + deadline + " s1");

            restored.processWatermark(T0 + 2 * DetectionHarness.DAY + MINUTE);
            assertThat(restored.numKeyedStateEntries()).isZero();
            assertThat(restored.numEventTimeTimers()).isZero();
        }
    }

    /** The keyed state and timers {@code writer} leaves after the events. */
    private static OperatorSubtaskState snapshotOf(
            KeyedProcessFunction<String, Event, Trigger> writer, Event... events) throws Exception {
        try (KeyedOneInputStreamOperatorTestHarness<String, Event, Trigger> h =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        writer, e -> e.userId, Types.STRING)) {
            for (Event e : events) {
                h.processElement(e, e.ts);
            }
            return h.snapshot(1L, 1L);
        }
    }

    /** Today's detection function with the checkout stall, restored from {@code old}. */
    private static KeyedOneInputStreamOperatorTestHarness<String, Event, Trigger> restoredFrom(
            OperatorSubtaskState old) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, Event, Trigger> h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(
                                new DetectionFunction(
                                        DetectionHarness.rules(CHECKOUT_STALL),
                                        DetectionHarness.DEFAULTS)),
                        e -> e.userId,
                        Types.STRING);
        h.setup();
        h.initializeState(old);
        h.open();
        return h;
    }

    /**
     * An open stall wait, its session and the sweep before the inbox, each in its own state, with
     * their timers.
     */
    private static final class OldWait extends KeyedProcessFunction<String, Event, Trigger> {
        private final long deadline;
        private final long sweep;

        OldWait(long deadline, long sweep) {
            this.deadline = deadline;
            this.sweep = sweep;
        }

        @Override
        public void processElement(Event e, Context ctx, Collector<Trigger> out) throws Exception {
            getRuntimeContext()
                    .getMapState(
                            new MapStateDescriptor<>("stall-deadlines", Types.STRING, Types.LONG))
                    .put("checkout-stall" + DetectionEngine.SEP + e.sessionId, deadline);
            getRuntimeContext()
                    .getMapState(new MapStateDescriptor<>("sessions", Types.STRING, Types.LONG))
                    .put(e.sessionId, e.ts);
            getRuntimeContext()
                    .getState(new ValueStateDescriptor<>("next-cleanup", Types.LONG))
                    .update(sweep);
            ctx.timerService().registerEventTimeTimer(deadline);
            ctx.timerService().registerEventTimeTimer(sweep);
        }
    }

    /**
     * What the engine kept for a waiting event before the inbox: the event by ts, a timer at it,
     * the sweep time.
     */
    private static final class OldLayout extends KeyedProcessFunction<String, Event, Trigger> {
        private transient MapState<Long, List<Event>> pending;
        private transient ValueState<Long> nextCleanup;

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext openContext) {
            pending =
                    getRuntimeContext()
                            .getMapState(
                                    new MapStateDescriptor<>(
                                            "pending-events",
                                            Types.LONG,
                                            Types.LIST(Types.POJO(Event.class))));
            nextCleanup =
                    getRuntimeContext()
                            .getState(new ValueStateDescriptor<>("next-cleanup", Types.LONG));
        }

        @Override
        public void processElement(Event e, Context ctx, Collector<Trigger> out) throws Exception {
            List<Event> atTs = pending.get(e.ts);
            if (atTs == null) {
                atTs = new ArrayList<>();
                ctx.timerService().registerEventTimeTimer(e.ts);
            }
            atTs.add(e);
            pending.put(e.ts, atTs);
            long sweep = DetectionEngine.roundUp(e.ts + 30 * MINUTE);
            if (nextCleanup.value() == null) {
                nextCleanup.update(sweep);
                ctx.timerService().registerEventTimeTimer(sweep);
            }
        }
    }
}
