package io.guidance.funnel;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.Event;
import io.guidance.trigger.Trigger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC section 7, guide funnel: from the feedback events naming a {@code props.triggerId}, the
 * triggers shown, clicked, dismissed and completed, each counted once per trigger id, under the
 * trigger's rule and guide; and docs/live-totals.md: an id's entry ends an hour after its trigger
 * expires, or after the feedback that named it when no trigger comes.
 */
class GuideFunnelJoinTest {
    static final long T0 = 1_700_000_000_000L;
    static final long MINUTE = 60_000L;
    static final long HOUR = 60 * MINUTE;
    static final long TTL = 10 * MINUTE;

    KeyedTwoInputStreamOperatorTestHarness<String, Trigger, Feedback, FunnelStep> harness;

    @BeforeEach
    void start() throws Exception {
        harness = open(null);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    static KeyedTwoInputStreamOperatorTestHarness<String, Trigger, Feedback, FunnelStep> open(
            OperatorSubtaskState restored) throws Exception {
        var h =
                new KeyedTwoInputStreamOperatorTestHarness<>(
                        new KeyedCoProcessOperator<>(new GuideFunnelJoin()),
                        (Trigger t) -> t.triggerId,
                        (Feedback f) -> f.triggerId,
                        Types.STRING);
        h.setup();
        if (restored != null) {
            h.initializeState(restored);
        }
        h.open();
        return h;
    }

    static Trigger trigger(String rule, String guide, String user, long ts, String status) {
        Trigger t = new Trigger();
        t.ruleId = rule;
        t.guide = guide;
        t.userId = user;
        t.sessionId = "s-" + user;
        t.ts = ts;
        t.expiresAt = ts + TTL;
        t.status = status;
        t.triggerId = rule + '|' + user + "|s-" + user + '|' + ts;
        return t;
    }

    /** A feedback event as a front end sends it, through the same filter as the job's. */
    static Feedback feedback(String type, String triggerId, long ts) {
        Event e =
                new Event(
                        "fb-" + type + ts,
                        "u",
                        "s",
                        ts,
                        type,
                        "/",
                        null,
                        Map.of("guide", "g", "triggerId", triggerId));
        Feedback f = FeedbackEvents.of(e);
        assertThat(f).as("%s naming %s is feedback", type, triggerId).isNotNull();
        return f;
    }

    void send(Trigger t) throws Exception {
        harness.processElement1(new StreamRecord<>(t, t.ts));
    }

    void send(String type, String triggerId, long ts) throws Exception {
        harness.processElement2(new StreamRecord<>(feedback(type, triggerId, ts), ts));
    }

    void watermark(long ts) throws Exception {
        harness.processBothWatermarks(new Watermark(ts));
    }

    /** The steps emitted so far, as "rule guide/measure", and forgets them. */
    List<String> steps() {
        List<String> out = new ArrayList<>();
        for (FunnelStep s : harness.extractOutputValues()) {
            out.add(s.ruleId + " " + s.guide + "/" + s.measure);
        }
        harness.getOutput().clear();
        return out;
    }

    @Test
    void twoShownEventsForOneTriggerCountOnceUnderTheTriggersRuleAndGuide() throws Exception {
        Trigger t = trigger("cart-stall", "cart-reminder-short", "ann", T0, "delivered");
        send(t);
        send("guide_shown", t.triggerId, T0 + 1_000);
        send("guide_shown", t.triggerId, T0 + 2_000);
        send("guide_clicked", t.triggerId, T0 + 3_000);
        send("guide_clicked", t.triggerId, T0 + 4_000);
        assertThat(steps())
                .containsExactly(
                        "cart-stall cart-reminder-short/delivered",
                        "cart-stall cart-reminder-short/shown",
                        "cart-stall cart-reminder-short/clicked");
    }

    @Test
    void everyStatusIsOneStepAndEachFeedbackTypeCountsOnce() throws Exception {
        Trigger held = trigger("cart-stall", "cart-reminder", "bob", T0, "suppressed:control");
        send(held);
        send(held); // the same id again is the same trigger
        for (String type : FunnelMeasures.FEEDBACK_TYPES) {
            send(type, held.triggerId, T0 + 1_000);
            send(type, held.triggerId, T0 + 2_000);
        }
        assertThat(steps())
                .containsExactly(
                        "cart-stall cart-reminder/suppressed:control",
                        "cart-stall cart-reminder/shown",
                        "cart-stall cart-reminder/clicked",
                        "cart-stall cart-reminder/dismissed",
                        "cart-stall cart-reminder/completed");
    }

    @Test
    void feedbackBeforeItsTriggerCountsWhenTheTriggerArrivesOnce() throws Exception {
        Trigger t = trigger("rage", "help", "cy", T0, "delivered");
        send("guide_shown", t.triggerId, T0 + 1_000);
        send("guide_shown", t.triggerId, T0 + 1_500);
        send("guide_dismissed", t.triggerId, T0 + 2_000);
        assertThat(steps()).as("nothing before the trigger").isEmpty();
        send(t);
        assertThat(steps())
                .containsExactly("rage help/delivered", "rage help/shown", "rage help/dismissed");
        send("guide_shown", t.triggerId, T0 + 3_000);
        send("guide_completed", t.triggerId, T0 + 4_000);
        assertThat(steps()).containsExactly("rage help/completed");
    }

    @Test
    void feedbackNamingAnUnknownTriggerIdIsNeverCountedAndItsEntryEnds() throws Exception {
        String unknown = "nope|dan|s-dan|" + T0;
        send("guide_shown", unknown, T0);
        send("guide_clicked", unknown, T0 + 10 * MINUTE);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        // an hour after the newest feedback naming it
        watermark(T0 + 10 * MINUTE + HOUR - 1);
        assertThat(harness.numKeyedStateEntries()).as("kept an hour after the newest").isEqualTo(1);
        watermark(T0 + 10 * MINUTE + HOUR);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(steps()).isEmpty();
    }

    @Test
    void anEntryEndsAnHourAfterItsTriggerExpiresAndLaterFeedbackIsNotCounted() throws Exception {
        Trigger t = trigger("cart-stall", "cart-reminder", "eve", T0, "delivered");
        send(t);
        send("guide_shown", t.triggerId, T0 + 1_000);
        long end = t.expiresAt + HOUR;
        watermark(end - 1);
        send("guide_clicked", t.triggerId, end - 1);
        assertThat(steps())
                .containsExactly(
                        "cart-stall cart-reminder/delivered",
                        "cart-stall cart-reminder/shown",
                        "cart-stall cart-reminder/clicked");
        watermark(end);
        assertThat(harness.numKeyedStateEntries()).isZero();
        // after its end of life the id is unknown: not counted, and its entry ends in turn
        send("guide_completed", t.triggerId, end + 1);
        assertThat(steps()).isEmpty();
        watermark(end + 1 + HOUR);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aTriggerArrivingAfterItsFeedbackKeepsTheLaterEndOfLife() throws Exception {
        Trigger t = trigger("cart-stall", "cart-reminder", "fay", T0, "delivered");
        // feedback stamped much later than the trigger (a front end's clock ahead)
        long late = t.expiresAt + 2 * HOUR;
        send("guide_shown", t.triggerId, late);
        send(t);
        steps();
        watermark(t.expiresAt + HOUR);
        assertThat(harness.numKeyedStateEntries()).as("the feedback's wait is longer").isOne();
        watermark(late + HOUR);
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void aRestoredJoinRemembersWhatItCounted() throws Exception {
        Trigger t = trigger("cart-stall", "cart-reminder", "gus", T0, "delivered");
        Trigger u = trigger("cart-stall", "cart-reminder", "hal", T0, "suppressed:min_gap");
        send(t);
        send("guide_shown", t.triggerId, T0 + 1_000);
        send("guide_clicked", u.triggerId, T0 + 1_000); // before its trigger
        steps();
        OperatorSubtaskState snapshot = harness.snapshot(1L, T0 + 2_000);
        harness.close();

        harness = open(snapshot);
        send("guide_shown", t.triggerId, T0 + 3_000);
        send(t);
        send(u);
        assertThat(steps())
                .containsExactly(
                        "cart-stall cart-reminder/suppressed:min_gap",
                        "cart-stall cart-reminder/clicked");
    }

    @Test
    void onlyFeedbackEventsNamingATriggerIdPassTheFilter() {
        Event view = new Event("1", "u", "s", T0, "page_view", "/", null, null);
        Event noId = new Event("2", "u", "s", T0, "guide_shown", "/", null, Map.of("guide", "g"));
        Event custom =
                new Event("3", "u", "s", T0, "guide_opened", "/", null, Map.of("triggerId", "x"));
        assertThat(FeedbackEvents.of(view)).isNull();
        assertThat(FeedbackEvents.of(noId)).isNull();
        assertThat(FeedbackEvents.of(custom)).isNull();
        Feedback f =
                FeedbackEvents.of(
                        new Event(
                                "4",
                                "u",
                                "s",
                                T0,
                                "guide_completed",
                                "/",
                                null,
                                Map.of("triggerId", "x")));
        assertThat(f.triggerId).isEqualTo("x");
        assertThat(FunnelMeasures.FEEDBACK.get(f.measure)).isEqualTo("completed");
    }
}
