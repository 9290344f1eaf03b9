package io.guidance.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.DeadLetter;
import io.guidance.event.Event;
import io.guidance.event.EventParser;
import io.guidance.event.OutputTags;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import io.guidance.trigger.Trigger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC sections 2-4 for the {@code stall} kind, run through Flink's keyed harness with event time
 * driven by watermarks: when a stall fires and what cancels it, dedup, late events, order
 * independence, and that every piece of state and every timer is gone once its job is done.
 */
class DetectionFunctionTest {
    /**
     * 2023-11-14T22:13:20Z: 20 s past a whole minute, so that rounding the dedup sweep up is
     * visible.
     */
    private static final long T0 = 1_700_000_000_000L;

    private static final long SECOND = 1_000L;
    private static final long MINUTE = 60 * SECOND;

    private static final long CHECKOUT_WITHIN = 8 * SECOND;
    private static final long SEARCH_WITHIN = 5 * SECOND;
    private static final long TTL = 10 * MINUTE;
    private static final long DEDUP_WINDOW = 10 * MINUTE;

    /**
     * When the dedup memory of an event at T0 is swept: T0 + 10 min is 20 s past a whole minute,
     * rounded up to the next whole minute is 40 s later.
     */
    private static final long SWEEP_AFTER_T0 = T0 + DEDUP_WINDOW + 40 * SECOND;

    private static final long DAY = 24 * 60 * MINUTE;

    /**
     * When the delivery policy forgets a delivery made between T0 and T0 + 40 s: the daily cap
     * looks back 24 h (the default cooldown is a day too), rounded up to the minute like every
     * cleanup.
     */
    private static final long DELIVERY_MEMORY_ENDS = T0 + DAY + 40 * SECOND;

    private static final String ALICE = "alice";
    private static final String BOB = "bob";

    /**
     * The SPEC's checkout stall (its start also matches its progress, since any page view is
     * progress) and a search stall whose start and progress are distinct.
     */
    private static final String RULES =
            """
            version: 1
            delivery:
              ttl: 10m
            rules:
              - id: checkout-stall
                guide: checkout-help
                kind: stall
                start: {type: page_view, page: /checkout}
                progress: [{type: page_view}, {type: click, target: "#pay"}]
                within: 8s
              - id: search-stall
                guide: search-tips
                kind: stall
                start: {type: input, target: "#search"}
                progress: [{type: click, target: "#result*"}]
                within: 5s
            """;

    private KeyedOneInputStreamOperatorTestHarness<String, Event, Trigger> harness;
    private int nextEventId;

    @BeforeEach
    void openHarness() throws Exception {
        harness = harness(RULES);
    }

    @AfterEach
    void closeHarness() throws Exception {
        harness.close();
    }

    // ---- when a stall fires ----

    @Test
    void firesOnceAtTheDeadlineWhenNoProgress() throws Exception {
        feed(checkoutView(ALICE, "s1", T0));

        advanceTo(T0 + CHECKOUT_WITHIN);
        advanceTo(T0 + 10 * MINUTE);

        long deadline = T0 + 8_000;
        assertThat(triggers()).hasSize(1);
        Trigger t = triggers().get(0);
        assertThat(t.triggerId).isEqualTo("checkout-stall|alice|s1|1700000008000");
        assertThat(t.ruleId).isEqualTo("checkout-stall");
        assertThat(t.guide).isEqualTo("checkout-help");
        assertThat(t.kind).isEqualTo("stall");
        assertThat(t.userId).isEqualTo(ALICE);
        assertThat(t.sessionId).isEqualTo("s1");
        assertThat(t.ts).isEqualTo(deadline);
        assertThat(t.expiresAt).isEqualTo(deadline + 600_000);
        assertThat(t.priority).isZero();
        assertThat(t.status).isEqualTo("delivered");
        assertThat(t.reason)
                .containsEntry("within", "8000")
                .containsEntry("deadline", Long.toString(deadline))
                .containsEntry("startedAt", Long.toString(T0));
        assertThat(harness.extractOutputStreamRecords())
                .as("the trigger record carries its ts as event time")
                .extracting(StreamRecord::getTimestamp)
                .containsExactly(deadline);
    }

    @Test
    void nothingFiresBeforeTheWatermarkReachesTheDeadline() throws Exception {
        feed(checkoutView(ALICE, "s1", T0));

        advanceTo(T0 + CHECKOUT_WITHIN - 1);
        assertThat(triggers()).isEmpty();

        advanceTo(T0 + CHECKOUT_WITHIN);
        assertThat(triggerIds()).containsExactly("checkout-stall|alice|s1|" + (T0 + 8_000));
    }

    @Test
    void aLaterStartRestartsTheWait() throws Exception {
        feed(searchInput(ALICE, "s1", T0), searchInput(ALICE, "s1", T0 + 2 * SECOND));

        advanceTo(T0 + SEARCH_WITHIN);
        assertThat(triggers()).as("the first deadline was replaced").isEmpty();

        advanceTo(T0 + 10 * MINUTE);
        // second start at T0 + 2 s, plus 5 s
        assertThat(triggerIds()).containsExactly("search-stall|alice|s1|" + (T0 + 7_000));
        assertThat(triggers().get(0).reason).containsEntry("startedAt", Long.toString(T0 + 2_000));
    }

    @Test
    void aStartThatAlsoMatchesProgressCountsAsAStart() throws Exception {
        // a reload of /checkout is a page view (progress) and a /checkout page view (start): it
        // restarts the wait
        feed(checkoutView(ALICE, "s1", T0), checkoutView(ALICE, "s1", T0 + 3 * SECOND));

        advanceTo(T0 + 10 * MINUTE);

        assertThat(triggerIds()).containsExactly("checkout-stall|alice|s1|" + (T0 + 11_000));
    }

    @Test
    void progressBeforeTheDeadlineCancels() throws Exception {
        feed(checkoutView(ALICE, "s1", T0), payClick(ALICE, "s1", T0 + 3 * SECOND));

        advanceTo(T0 + 10 * MINUTE);

        assertThat(triggers()).isEmpty();
    }

    @Test
    void anyProgressMatcherCancels() throws Exception {
        feed(checkoutView(ALICE, "s1", T0), pageView(ALICE, "s1", T0 + 3 * SECOND, "/thank-you"));

        advanceTo(T0 + 10 * MINUTE);

        assertThat(triggers()).isEmpty();
    }

    @Test
    void progressExactlyAtTheDeadlineCancels() throws Exception {
        feed(checkoutView(ALICE, "s1", T0), payClick(ALICE, "s1", T0 + CHECKOUT_WITHIN));

        advanceTo(T0 + 10 * MINUTE);

        assertThat(triggers()).isEmpty();
    }

    @Test
    void progressOneMillisecondAfterTheDeadlineDoesNotCancel() throws Exception {
        feed(checkoutView(ALICE, "s1", T0), payClick(ALICE, "s1", T0 + CHECKOUT_WITHIN + 1));

        advanceTo(T0 + 10 * MINUTE);

        assertThat(triggerIds()).containsExactly("checkout-stall|alice|s1|" + (T0 + 8_000));
    }

    @Test
    void progressOfAnotherRuleDoesNotCancel() throws Exception {
        feed(checkoutView(ALICE, "s1", T0), resultClick(ALICE, "s1", T0 + 2 * SECOND));

        advanceTo(T0 + 10 * MINUTE);

        assertThat(triggerIds()).containsExactly("checkout-stall|alice|s1|" + (T0 + 8_000));
    }

    @Test
    void progressInAnotherSessionDoesNotCancel() throws Exception {
        feed(checkoutView(ALICE, "s1", T0), payClick(ALICE, "s2", T0 + 2 * SECOND));

        advanceTo(T0 + 10 * MINUTE);

        assertThat(triggerIds()).containsExactly("checkout-stall|alice|s1|" + (T0 + 8_000));
    }

    @Test
    void twoSessionsOfOneUserAreIndependent() throws Exception {
        feed(
                checkoutView(ALICE, "s1", T0),
                checkoutView(ALICE, "s2", T0 + 2 * SECOND),
                payClick(ALICE, "s1", T0 + 3 * SECOND));

        advanceTo(T0 + 10 * MINUTE);

        // s1 made progress; s2 stalls at T0 + 2 s + 8 s
        assertThat(triggerIds()).containsExactly("checkout-stall|alice|s2|" + (T0 + 10_000));
    }

    @Test
    void twoStalledSessionsOfOneUserEachFire() throws Exception {
        feed(checkoutView(ALICE, "s1", T0), checkoutView(ALICE, "s2", T0 + 2 * SECOND));

        advanceTo(T0 + 10 * MINUTE);

        assertThat(triggerIds())
                .containsExactly(
                        "checkout-stall|alice|s1|" + (T0 + 8_000),
                        "checkout-stall|alice|s2|" + (T0 + 10_000));
    }

    @Test
    void twoRulesWaitSideBySideInOneSession() throws Exception {
        feed(checkoutView(ALICE, "s1", T0), searchInput(ALICE, "s1", T0 + SECOND));

        advanceTo(T0 + 10 * MINUTE);

        // search: T0 + 1 s + 5 s; checkout: T0 + 8 s
        assertThat(triggerIds())
                .containsExactly(
                        "search-stall|alice|s1|" + (T0 + 6_000),
                        "checkout-stall|alice|s1|" + (T0 + 8_000));
    }

    @Test
    void usersAreIndependent() throws Exception {
        feed(
                checkoutView(ALICE, "s1", T0),
                checkoutView(BOB, "s1", T0 + SECOND),
                payClick(BOB, "s1", T0 + 2 * SECOND));

        advanceTo(T0 + 10 * MINUTE);

        assertThat(triggerIds()).containsExactly("checkout-stall|alice|s1|" + (T0 + 8_000));
    }

    @Test
    void aDisabledRuleFiresNothing() throws Exception {
        harness.close();
        harness =
                harness(RULES.replace("    within: 8s\n", "    within: 8s\n    enabled: false\n"));

        feed(checkoutView(ALICE, "s1", T0), searchInput(ALICE, "s1", T0));
        advanceTo(T0 + 10 * MINUTE);

        assertThat(triggerIds()).containsExactly("search-stall|alice|s1|" + (T0 + 5_000));
    }

    // ---- input order and time ----

    @Test
    void equalTimestampsKeepArrivalOrder() throws Exception {
        // alice: start, then progress at the same instant -> the wait opens and is cancelled at
        // once
        feed(checkoutView(ALICE, "s1", T0), payClick(ALICE, "s1", T0));
        // bob: progress, then start at the same instant -> nothing to cancel yet, then the wait
        // opens
        feed(payClick(BOB, "s1", T0), checkoutView(BOB, "s1", T0));

        advanceTo(T0 + 10 * MINUTE);

        assertThat(triggerIds()).containsExactly("checkout-stall|bob|s1|" + (T0 + 8_000));
    }

    @Test
    void outOfOrderArrivalGivesTheSameTriggersAsSortedArrival() throws Exception {
        List<Event> story = outOfOrderStory();
        List<Event> sorted = new ArrayList<>(story);
        sorted.sort(Comparator.comparingLong(e -> e.ts));

        feed(sorted.toArray(new Event[0]));
        advanceTo(T0 + 10 * MINUTE);
        List<Trigger> fromSorted = triggers();

        // worked out by hand in outOfOrderStory()
        assertThat(fromSorted)
                .extracting(t -> t.triggerId)
                .containsExactlyInAnyOrder(
                        "checkout-stall|alice|s1|" + (T0 + 28_000),
                        "search-stall|alice|s2|" + (T0 + 9_000),
                        "checkout-stall|bob|s1|" + (T0 + 14_000));

        for (long seed = 1; seed <= 20; seed++) {
            List<Event> shuffled = new ArrayList<>(story);
            Collections.shuffle(shuffled, new Random(seed));
            assertThat(shuffled).as("seed %d shuffles", seed).isNotEqualTo(sorted);

            try (var run = harness(RULES)) {
                for (Event e : shuffled) {
                    run.processElement(e, e.ts);
                }
                run.processWatermark(T0 + 10 * MINUTE);
                assertThat(run.extractOutputValues())
                        .as("seed %d", seed)
                        .containsExactlyInAnyOrderElementsOf(fromSorted);
            }
        }
    }

    @Test
    void anEventAtOrBehindTheWatermarkIsDeadLetteredAsLate() throws Exception {
        advanceTo(T0 + 5 * SECOND);

        Event atTheWatermark = checkoutView(ALICE, "s1", T0 + 5 * SECOND);
        Event behindTheWatermark = checkoutView(ALICE, "s2", T0 + 4 * SECOND);
        Event justAhead = checkoutView(ALICE, "s3", T0 + 5 * SECOND + 1);
        feed(atTheWatermark, behindTheWatermark, justAhead);
        advanceTo(T0 + 10 * MINUTE);

        List<DeadLetter> dead = sideOutput(OutputTags.DEAD_LETTERS);
        assertThat(dead).extracting(d -> d.reason).containsExactly("late", "late");
        EventParser parser = new EventParser();
        assertThat(dead)
                .extracting(d -> parser.parse(d.raw).event)
                .as("the dead letter keeps the whole event")
                .containsExactly(atTheWatermark, behindTheWatermark);
        assertThat(triggerIds())
                .as("late events open no wait")
                .containsExactly("checkout-stall|alice|s3|" + (T0 + 13_001));
    }

    // ---- duplicates ----

    @Test
    void aDuplicateEventIdIsProcessedOnce() throws Exception {
        Event view = checkoutView(ALICE, "s1", T0);
        feed(view, copyOf(view));

        advanceTo(T0 + 10 * MINUTE);

        assertThat(sideOutput(OutputTags.DUPLICATES)).containsExactly(view.eventId);
        assertThat(triggerIds()).containsExactly("checkout-stall|alice|s1|" + (T0 + 8_000));
    }

    @Test
    void aDuplicateWithAnotherTsIsStillIgnored() throws Exception {
        Event view = checkoutView(ALICE, "s1", T0);
        Event resentLater = copyOf(view);
        resentLater.ts = T0 + 5 * SECOND;
        feed(view, resentLater);

        advanceTo(T0 + 10 * MINUTE);

        assertThat(sideOutput(OutputTags.DUPLICATES)).containsExactly(view.eventId);
        // had the copy been processed, it would have restarted the wait to T0 + 13 s
        assertThat(triggerIds()).containsExactly("checkout-stall|alice|s1|" + (T0 + 8_000));
    }

    @Test
    void anIdIsForgottenOnceTheDedupWindowIsSwept() throws Exception {
        Event view = checkoutView(ALICE, "s1", T0);
        feed(view);
        advanceTo(SWEEP_AFTER_T0);

        Event sameIdMuchLater = copyOf(view);
        sameIdMuchLater.ts = SWEEP_AFTER_T0 + SECOND;
        feed(sameIdMuchLater);
        advanceTo(SWEEP_AFTER_T0 + 10 * MINUTE);

        assertThat(sideOutput(OutputTags.DUPLICATES)).isEmpty();
        assertThat(triggerIds())
                .containsExactly(
                        "checkout-stall|alice|s1|" + (T0 + 8_000),
                        "checkout-stall|alice|s1|" + (SWEEP_AFTER_T0 + 9_000));
    }

    @Test
    void eachIdIsForgottenFromTheSweepAtItsOwnExpiry() throws Exception {
        // ids seen at T0, T0 + 2 min and T0 + 3 min: swept (rounded up) at T0 + 10:40, 12:40 and
        // 13:40
        Event first = payClick(ALICE, "s1", T0);
        Event second = payClick(ALICE, "s1", T0 + 2 * MINUTE);
        Event third = payClick(ALICE, "s1", T0 + 3 * MINUTE);
        feed(first, second, third);
        long secondSwept = SWEEP_AFTER_T0 + 2 * MINUTE;
        advanceTo(secondSwept);

        Event secondAgain = copyOf(second);
        secondAgain.ts = secondSwept + SECOND;
        Event thirdAgain = copyOf(third);
        thirdAgain.ts = secondSwept + SECOND;
        feed(secondAgain, thirdAgain);
        advanceTo(secondSwept + MINUTE);
        Event thirdOnceMore = copyOf(third);
        thirdOnceMore.ts = secondSwept + MINUTE + SECOND;
        feed(thirdOnceMore);
        advanceTo(secondSwept + 20 * MINUTE);

        // the second id was past its sweep, the third not yet, and then it was
        assertThat(sideOutput(OutputTags.DUPLICATES)).containsExactly(third.eventId);
        assertThat(triggerIds()).isEmpty();
    }

    // ---- end of life of state and timers ----

    @Test
    void stateAndTimersAreGoneAfterTheTriggerAndTheDedupWindow() throws Exception {
        feed(checkoutView(ALICE, "s1", T0));
        advanceTo(T0 + CHECKOUT_WITHIN);
        assertThat(triggers()).hasSize(1);

        // what remains is the memory of the event's id and session, until the rounded-up sweep, and
        // of the delivery
        advanceTo(SWEEP_AFTER_T0 - 1);
        assertThat(inbox(ALICE).recentIds).hasSize(2); // one id: its hash and its ts
        assertThat(inbox(ALICE).sessions).containsOnlyKeys("s1");
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        advanceTo(SWEEP_AFTER_T0);
        // left: the guide's last delivery and the recent deliveries (cooldown, gap, daily cap), and
        // the inbox with the times of the next sweep and of the key's timer
        assertThat(harness.numKeyedStateEntries()).isEqualTo(3);
        assertThat(inbox(ALICE).recentIds).isNull();
        assertThat(inbox(ALICE).sessions).isNull();
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        advanceTo(DELIVERY_MEMORY_ENDS - 1);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(3);
        advanceTo(DELIVERY_MEMORY_ENDS);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(triggers()).hasSize(1);
    }

    @Test
    void progressCancelsTheWaitAndTheKeyKeepsOneTimer() throws Exception {
        feed(checkoutView(ALICE, "s1", T0), payClick(ALICE, "s1", T0 + SECOND));
        // two arrivals, nothing read yet: a timer at each one's ts
        assertThat(harness.numEventTimeTimers()).isEqualTo(2);

        advanceTo(T0);
        // the click waiting at T0 + 1 s, the deadline at T0 + 8 s, the dedup sweep: still one timer
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        advanceTo(T0 + SECOND);
        // the click ran and cancelled the wait: the deadline passes without a trigger, the timer
        // waits for the sweep
        advanceTo(T0 + CHECKOUT_WITHIN);
        assertThat(triggers()).isEmpty();
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        advanceTo(SWEEP_AFTER_T0);
        assertThat(triggers()).isEmpty();
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void aRestartMovesTheDeadlineAndTheKeyKeepsOneTimer() throws Exception {
        feed(checkoutView(ALICE, "s1", T0), checkoutView(ALICE, "s1", T0 + 3 * SECOND));

        advanceTo(T0);
        // the second view waiting at T0 + 3 s, the first deadline at T0 + 8 s, the dedup sweep: one
        // timer
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);

        advanceTo(T0 + 3 * SECOND);
        // the deadline moved to T0 + 11 s: nothing at T0 + 8 s, the trigger at T0 + 11 s
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        advanceTo(T0 + 11 * SECOND - 1);
        assertThat(triggers()).isEmpty();
        advanceTo(T0 + 11 * SECOND);
        assertThat(triggers()).extracting(t -> t.ts).containsExactly(T0 + 11 * SECOND);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
    }

    @Test
    void theEndOfInputRunsEverythingStillDueAndStops() throws Exception {
        feed(checkoutView(ALICE, "s1", T0), payClick(BOB, "s2", T0 + SECOND));

        // a bounded input ends with the watermark at Long.MAX_VALUE: every wait, sweep and memory
        // comes due at once
        advanceTo(Long.MAX_VALUE);
        assertThat(triggers())
                .extracting(t -> t.ruleId + "@" + t.ts)
                .containsExactly("checkout-stall@" + (T0 + CHECKOUT_WITHIN));
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    @Test
    void stateOfManyUsersAndSessionsEndsToo() throws Exception {
        feed(outOfOrderStory().toArray(new Event[0]));
        advanceTo(T0 + 10 * MINUTE);
        assertThat(triggers()).hasSize(3);

        // each user's sweep is due at their first event + 10 min, rounded up: T0 + 10 min 40 s for
        // both. The story's
        // latest event, at T0 + 20 s, is due at T0 + 10 min 20 s, so that one sweep clears
        // everything
        advanceTo(SWEEP_AFTER_T0 - 1);
        assertThat(harness.numKeyedStateEntries()).isPositive();

        // delivered at 9 s (alice; her 28 s trigger falls within the 2 min gap) and 14 s (bob):
        // forgotten a day later
        advanceTo(DELIVERY_MEMORY_ENDS - 1);
        assertThat(harness.numKeyedStateEntries()).isPositive();
        advanceTo(DELIVERY_MEMORY_ENDS);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @ParameterizedTest(name = "last event {0} ms after T0")
    @ValueSource(longs = {0, 39_999, 40_000, 40_001})
    void theSweepIsRoundedUpToTheMinute(long offset) throws Exception {
        long ts = T0 + offset;
        // a click that starts nothing: no trigger, so the dedup and session memory is all there is
        feed(payClick(ALICE, "s1", ts));
        advanceTo(ts + CHECKOUT_WITHIN);
        assertThat(triggers()).isEmpty();

        // T0 + 10 min is 20 s past a minute: events up to 40 s after T0 are swept at
        // SWEEP_AFTER_T0, later ones a
        // minute after
        long expectedSweep = offset <= 40_000 ? SWEEP_AFTER_T0 : SWEEP_AFTER_T0 + MINUTE;
        advanceTo(expectedSweep - 1);
        assertThat(harness.numEventTimeTimers()).isEqualTo(1);
        advanceTo(expectedSweep);
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    // ---- the story and its builders ----

    /**
     * Events of two users with distinct timestamps; the expected triggers, by hand:
     *
     * <ul>
     *   <li>alice s1: checkout at 0 s, pay at 3 s (cancels); checkout again at 20 s -> fires at 28
     *       s.
     *   <li>alice s2: search at 1 s, again at 4 s (deadline 9 s); result click at 9.5 s is too late
     *       -> fires at 9 s.
     *   <li>bob s1: checkout at 2 s, reload at 6 s (deadline 14 s); a pay click in bob's s9 at 7 s
     *       is another session -> fires at 14 s.
     *   <li>bob s3: search at 5 s, result click at exactly the deadline 10 s -> cancelled.
     * </ul>
     */
    private List<Event> outOfOrderStory() {
        return List.of(
                checkoutView(ALICE, "s1", T0),
                searchInput(ALICE, "s2", T0 + 1_000),
                checkoutView(BOB, "s1", T0 + 2_000),
                payClick(ALICE, "s1", T0 + 3_000),
                searchInput(ALICE, "s2", T0 + 4_000),
                searchInput(BOB, "s3", T0 + 5_000),
                checkoutView(BOB, "s1", T0 + 6_000),
                payClick(BOB, "s9", T0 + 7_000),
                resultClick(ALICE, "s2", T0 + 9_500),
                resultClick(BOB, "s3", T0 + 10_000),
                checkoutView(ALICE, "s1", T0 + 20_000));
    }

    private Event checkoutView(String user, String session, long ts) {
        return pageView(user, session, ts, "/checkout");
    }

    private Event pageView(String user, String session, long ts, String page) {
        return event(user, session, ts, "page_view", page, null);
    }

    private Event payClick(String user, String session, long ts) {
        return event(user, session, ts, "click", "/checkout", "#pay");
    }

    private Event searchInput(String user, String session, long ts) {
        return event(user, session, ts, "input", "/search", "#search");
    }

    private Event resultClick(String user, String session, long ts) {
        return event(user, session, ts, "click", "/search", "#result-3");
    }

    private Event event(
            String user, String session, long ts, String type, String page, String target) {
        return new Event("e-" + (++nextEventId), user, session, ts, type, page, target, null);
    }

    private static Event copyOf(Event e) {
        return new Event(e.eventId, e.userId, e.sessionId, e.ts, e.type, e.page, e.target, e.props);
    }

    // ---- harness helpers ----

    private static KeyedOneInputStreamOperatorTestHarness<String, Event, Trigger> harness(
            String rulesYaml) throws Exception {
        RuleSet rules = RulesParser.parse(rulesYaml, "test rules");
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new DetectionFunction(
                        rules,
                        new DetectionSettings(
                                DEDUP_WINDOW,
                                DEDUP_WINDOW,
                                DetectionSettings.DEFAULT_USER_RETENTION)),
                e -> e.userId,
                Types.STRING);
    }

    private void feed(Event... events) throws Exception {
        for (Event e : events) {
            harness.processElement(e, e.ts);
        }
    }

    private void advanceTo(long watermark) throws Exception {
        harness.processWatermark(watermark);
    }

    private List<Trigger> triggers() {
        return harness.extractOutputValues();
    }

    private Inbox inbox(String user) throws Exception {
        KeyedStateBackend<String> backend = harness.getOperator().getKeyedStateBackend();
        backend.setCurrentKey(user);
        return backend.getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        DetectionEngine.INBOX)
                .value();
    }

    private List<String> triggerIds() {
        return triggers().stream().map(t -> t.triggerId).collect(Collectors.toList());
    }

    private <X> List<X> sideOutput(OutputTag<X> tag) {
        Queue<StreamRecord<X>> records = harness.getSideOutput(tag);
        return records == null
                ? List.of()
                : records.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }
}
