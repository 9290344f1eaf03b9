package io.guidance.deliver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.guidance.detect.DetectionFunction;
import io.guidance.detect.DetectionSettings;
import io.guidance.event.Event;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import io.guidance.trigger.Trigger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The delivery policy of SPEC section 4, run through {@link DetectionFunction} in Flink's keyed
 * harness with event time driven by watermarks. Triggers are placed exactly in time with tiny
 * rules: two taps of a kind at one instant fire a burst (count 2 within 1 s) at that instant; an
 * {@code open-help} or {@code open-form} event starts a stall that fires 5 s later. Every expected
 * status below is worked out by hand from the SPEC; the status words are the SPEC's, not the code's
 * constants.
 */
class DeliveryPolicyTest {
    /**
     * 2023-11-14T22:13:20Z: 20 s past a whole minute, so that cleanup timers rounded up to the
     * minute are visible.
     */
    private static final long T0 = 1_700_000_000_000L;

    private static final long SECOND = 1_000L;
    private static final long MINUTE = 60 * SECOND;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;

    private static final long MIN_GAP = 2 * MINUTE;
    private static final long COOLDOWN = HOUR;
    private static final long PROMO_COOLDOWN = 10 * MINUTE;
    private static final long NEWS_COOLDOWN = 2 * HOUR;
    private static final long STALL_WITHIN = 5 * SECOND;
    private static final long DEDUP_WINDOW = 10 * MINUTE;
    private static final long SESSION_TIMEOUT = 10 * MINUTE;
    private static final long USER_RETENTION = 7 * DAY;

    /**
     * T0 + x is swept at the next whole minute at or after it: T0 + x + 40 s when x is whole
     * minutes.
     */
    private static final long TO_WHOLE_MINUTE = 40 * SECOND;

    private static final String DELIVERED = "delivered";
    private static final String DISMISSED = "suppressed:dismissed";
    private static final String COOLDOWN_HIT = "suppressed:cooldown";
    private static final String MIN_GAP_HIT = "suppressed:min_gap";
    private static final String DAILY_CAP = "suppressed:daily_cap";

    private static final String ALICE = "alice";
    private static final String BOB = "bob";
    private static final String SESSION = "s1";

    /**
     * Four guides by burst, one of them ({@code help}) also by a stall. Default cooldown 1 h;
     * {@code promo} has its own 10 min, {@code news} its own 2 h, which is therefore the longest
     * cooldown.
     */
    private static final String RULES =
            """
            version: 1
            delivery:
              ttl: 10m
              minGap: 2m
              maxPerDay: 3
              cooldown: 1h
            rules:
              - id: help-burst
                guide: help
                kind: burst
                match: {type: help-tap}
                count: 2
                within: 1s
              - id: help-stall
                guide: help
                kind: stall
                start: {type: open-help}
                progress: [{type: close-help}]
                within: 5s
              - id: tips-burst
                guide: tips
                kind: burst
                match: {type: tips-tap}
                count: 2
                within: 1s
              - id: promo-burst
                guide: promo
                kind: burst
                match: {type: promo-tap}
                count: 2
                within: 1s
                cooldown: 10m
              - id: news-burst
                guide: news
                kind: burst
                match: {type: news-tap}
                count: 2
                within: 1s
                cooldown: 2h
            """;

    private KeyedOneInputStreamOperatorTestHarness<String, Event, Trigger> harness;
    private int nextEventId;

    @AfterEach
    void closeHarness() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    // ---- 1. dismissed ----

    @Nested
    class Dismissed {
        @Test
        void aDismissalBeforeTheTriggerSuppressesIt() throws Exception {
            open(RULES);
            feed(dismissal(ALICE, "help", T0));
            fire("help-tap", T0 + SECOND);
            runToTheEnd();

            assertThat(statuses())
                    .containsExactly(entry(alices("help-burst", T0 + SECOND), DISMISSED));
        }

        @Test
        void aCompletionBeforeTheTriggerSuppressesItToo() throws Exception {
            open(RULES);
            feed(completion(ALICE, "help", T0));
            fire("help-tap", T0 + 1);
            runToTheEnd();

            assertThat(statuses()).containsExactly(entry(alices("help-burst", T0 + 1), DISMISSED));
        }

        @Test
        void aDismissalSuppressesTheGuideFromEveryRuleThatAsksForIt() throws Exception {
            open(RULES);
            feed(dismissal(ALICE, "help", T0));
            feed(event(ALICE, T0 + MINUTE, "open-help"));
            runToTheEnd();

            assertThat(statuses())
                    .containsExactly(
                            entry(alices("help-stall", T0 + MINUTE + STALL_WITHIN), DISMISSED));
        }

        @Test
        void anotherGuidesDismissalDoesNotSuppress() throws Exception {
            open(RULES);
            feed(dismissal(ALICE, "tips", T0));
            fire("help-tap", T0 + SECOND);
            // the dismissal was remembered: it stops tips, well clear of the gap after help
            fire("tips-tap", T0 + SECOND + MIN_GAP);
            runToTheEnd();

            assertThat(statuses())
                    .containsExactly(
                            entry(alices("help-burst", T0 + SECOND), DELIVERED),
                            entry(alices("tips-burst", T0 + SECOND + MIN_GAP), DISMISSED));
        }

        @Test
        void anotherUsersDismissalDoesNotSuppress() throws Exception {
            open(RULES);
            feed(dismissal(BOB, "help", T0));
            fire("help-tap", T0 + SECOND);
            runToTheEnd();

            assertThat(statuses())
                    .containsExactly(entry(alices("help-burst", T0 + SECOND), DELIVERED));
        }

        @Test
        void feedbackThatIsNotADismissalOrCompletionDoesNotSuppress() throws Exception {
            open(RULES);
            feed(
                    feedback(ALICE, "guide_shown", "help", T0),
                    feedback(ALICE, "guide_clicked", "help", T0 + 1));
            fire("help-tap", T0 + SECOND);
            runToTheEnd();

            assertThat(statuses())
                    .containsExactly(entry(alices("help-burst", T0 + SECOND), DELIVERED));
        }

        @Test
        void aDismissalWithoutAGuideSuppressesNothing() throws Exception {
            open(RULES);
            feed(
                    new Event(
                            nextId(),
                            ALICE,
                            SESSION,
                            T0,
                            "guide_dismissed",
                            null,
                            null,
                            Map.of("triggerId", "x")));
            fire("help-tap", T0 + SECOND);
            runToTheEnd();

            assertThat(statuses())
                    .containsExactly(entry(alices("help-burst", T0 + SECOND), DELIVERED));
        }

        /**
         * Feedback racing a trigger: the SPEC asks for ts strictly before the trigger's, whatever
         * the arrival order.
         */
        @ParameterizedTest(name = "dismissal arrives {0} the taps")
        @CsvSource({"before", "after"})
        void aDismissalAtExactlyTheTriggerTsDoesNotSuppress(String arrival) throws Exception {
            open(RULES);
            if (arrival.equals("before")) {
                feed(dismissal(ALICE, "help", T0));
                fire("help-tap", T0);
            } else {
                fire("help-tap", T0);
                feed(dismissal(ALICE, "help", T0));
            }
            // once the cooldown is over, the same dismissal (now strictly earlier) does suppress
            fire("help-tap", T0 + COOLDOWN);
            runToTheEnd();

            assertThat(statuses())
                    .containsExactly(
                            entry(alices("help-burst", T0), DELIVERED),
                            entry(alices("help-burst", T0 + COOLDOWN), DISMISSED));
        }

        @Test
        void aDismissalAtExactlyAStallDeadlineDoesNotSuppressIt() throws Exception {
            open(RULES);
            feed(event(ALICE, T0, "open-help"), dismissal(ALICE, "help", T0 + STALL_WITHIN));
            runToTheEnd();

            assertThat(statuses())
                    .containsExactly(entry(alices("help-stall", T0 + STALL_WITHIN), DELIVERED));
        }

        @Test
        void aDismissalOneMillisecondBeforeAStallDeadlineSuppressesIt() throws Exception {
            open(RULES);
            feed(event(ALICE, T0, "open-help"), dismissal(ALICE, "help", T0 + STALL_WITHIN - 1));
            runToTheEnd();

            assertThat(statuses())
                    .containsExactly(entry(alices("help-stall", T0 + STALL_WITHIN), DISMISSED));
        }

        @Test
        void aDismissalKeepsSuppressingForTheUserRetention() throws Exception {
            open(RULES);
            feed(dismissal(ALICE, "help", T0));
            fire("help-tap", T0 + USER_RETENTION - MINUTE);
            runToTheEnd();

            assertThat(statuses())
                    .containsExactly(
                            entry(alices("help-burst", T0 + USER_RETENTION - MINUTE), DISMISSED));
        }

        @Test
        void aDismissalIsForgottenAfterTheUserRetention() throws Exception {
            open(RULES);
            feed(dismissal(ALICE, "help", T0));
            // the dismissal leaves at the cleanup after T0 + 7 d (rounded up to the minute): T0 + 7
            // d 40 s
            advanceTo(T0 + USER_RETENTION + TO_WHOLE_MINUTE);
            long later = T0 + USER_RETENTION + MINUTE;
            fire("help-tap", later);
            runToTheEnd();

            assertThat(statuses()).containsExactly(entry(alices("help-burst", later), DELIVERED));
        }
    }

    // ---- 2. cooldown ----

    @Nested
    class Cooldown {
        @Test
        void theSameGuideWithinTheCooldownIsSuppressed() throws Exception {
            open(RULES);
            fire("help-tap", T0);
            fire("help-tap", T0 + COOLDOWN - 1);
            runToTheEnd();

            assertThat(statuses())
                    .containsExactly(
                            entry(alices("help-burst", T0), DELIVERED),
                            entry(alices("help-burst", T0 + COOLDOWN - 1), COOLDOWN_HIT));
        }

        @Test
        void theSameGuideExactlyOneCooldownLaterIsDelivered() throws Exception {
            open(RULES);
            fire("help-tap", T0);
            fire("help-tap", T0 + COOLDOWN);
            runToTheEnd();

            assertThat(statuses())
                    .containsExactly(
                            entry(alices("help-burst", T0), DELIVERED),
                            entry(alices("help-burst", T0 + COOLDOWN), DELIVERED));
        }

        @Test
        void theCooldownIsPerGuideWhicheverRuleAsksForIt() throws Exception {
            open(RULES);
            fire("help-tap", T0);
            feed(event(ALICE, T0 + 30 * MINUTE - STALL_WITHIN, "open-help"));
            runToTheEnd();

            assertThat(statuses())
                    .containsExactly(
                            entry(alices("help-burst", T0), DELIVERED),
                            entry(alices("help-stall", T0 + 30 * MINUTE), COOLDOWN_HIT));
        }

        @Test
        void anotherGuideIsNotInTheCooldown() throws Exception {
            open(RULES);
            fire("help-tap", T0);
            fire("tips-tap", T0 + 10 * MINUTE);
            runToTheEnd();

            assertThat(statuses())
                    .containsExactly(
                            entry(alices("help-burst", T0), DELIVERED),
                            entry(alices("tips-burst", T0 + 10 * MINUTE), DELIVERED));
        }

        @Test
        void aRulesOwnShorterCooldownOverridesTheDefault() throws Exception {
            open(RULES);
            fire("promo-tap", T0);
            fire("promo-tap", T0 + PROMO_COOLDOWN - 1);
            fire("promo-tap", T0 + PROMO_COOLDOWN);
            runToTheEnd();

            // under the default hour, the last one would be suppressed too
            assertThat(statuses())
                    .containsExactly(
                            entry(alices("promo-burst", T0), DELIVERED),
                            entry(alices("promo-burst", T0 + PROMO_COOLDOWN - 1), COOLDOWN_HIT),
                            entry(alices("promo-burst", T0 + PROMO_COOLDOWN), DELIVERED));
        }

        @Test
        void aRulesOwnLongerCooldownOverridesTheDefault() throws Exception {
            open(RULES);
            fire("news-tap", T0);
            fire("news-tap", T0 + COOLDOWN);
            fire("news-tap", T0 + NEWS_COOLDOWN - 1);
            fire("news-tap", T0 + NEWS_COOLDOWN);
            runToTheEnd();

            // the default hour is over at T0 + 1 h, the rule's own two hours are not
            assertThat(statuses())
                    .containsExactly(
                            entry(alices("news-burst", T0), DELIVERED),
                            entry(alices("news-burst", T0 + COOLDOWN), COOLDOWN_HIT),
                            entry(alices("news-burst", T0 + NEWS_COOLDOWN - 1), COOLDOWN_HIT),
                            entry(alices("news-burst", T0 + NEWS_COOLDOWN), DELIVERED));
        }
    }

    // ---- 3. min_gap ----

    @Nested
    class MinGap {
        @Test
        void anyGuideWithinTheMinGapIsSuppressed() throws Exception {
            open(RULES);
            fire("help-tap", T0);
            fire("tips-tap", T0 + MIN_GAP - 1);
            runToTheEnd();

            assertThat(statuses())
                    .containsExactly(
                            entry(alices("help-burst", T0), DELIVERED),
                            entry(alices("tips-burst", T0 + MIN_GAP - 1), MIN_GAP_HIT));
        }

        @Test
        void exactlyTheMinGapLaterIsDelivered() throws Exception {
            open(RULES);
            fire("help-tap", T0);
            fire("tips-tap", T0 + MIN_GAP);
            runToTheEnd();

            assertThat(statuses())
                    .containsExactly(
                            entry(alices("help-burst", T0), DELIVERED),
                            entry(alices("tips-burst", T0 + MIN_GAP), DELIVERED));
        }

        @Test
        void theGapRunsFromTheLatestDelivery() throws Exception {
            open(RULES);
            fire("help-tap", T0);
            fire("tips-tap", T0 + MIN_GAP);
            // 3 min after help, but 1 min after tips
            fire("promo-tap", T0 + MIN_GAP + MINUTE);
            runToTheEnd();

            assertThat(statuses())
                    .containsExactly(
                            entry(alices("help-burst", T0), DELIVERED),
                            entry(alices("tips-burst", T0 + MIN_GAP), DELIVERED),
                            entry(alices("promo-burst", T0 + MIN_GAP + MINUTE), MIN_GAP_HIT));
        }

        @Test
        void usersHaveTheirOwnGap() throws Exception {
            open(RULES);
            fire("help-tap", T0);
            fire(BOB, "tips-tap", T0 + SECOND);
            runToTheEnd();

            assertThat(statuses())
                    .containsExactly(
                            entry(alices("help-burst", T0), DELIVERED),
                            entry(
                                    Trigger.triggerId("tips-burst", BOB, SESSION, T0 + SECOND),
                                    DELIVERED));
        }
    }

    // ---- 4. daily_cap ----

    @Nested
    class DailyCap {
        @Test
        void aFourthDeliveryWithin24HoursIsSuppressed() throws Exception {
            open(RULES);
            fire("help-tap", T0);
            fire("tips-tap", T0 + HOUR);
            fire("promo-tap", T0 + 2 * HOUR);
            fire("news-tap", T0 + 3 * HOUR);
            runToTheEnd();

            assertThat(statuses())
                    .containsExactly(
                            entry(alices("help-burst", T0), DELIVERED),
                            entry(alices("tips-burst", T0 + HOUR), DELIVERED),
                            entry(alices("promo-burst", T0 + 2 * HOUR), DELIVERED),
                            entry(alices("news-burst", T0 + 3 * HOUR), DAILY_CAP));
        }

        @Test
        void theCapRollsExactly24HoursAfterADelivery() throws Exception {
            open(RULES);
            fire("help-tap", T0);
            fire("tips-tap", T0 + HOUR);
            fire("promo-tap", T0 + 2 * HOUR);
            // the 24 h before T0 + 24 h - 1 still hold T0
            fire("news-tap", T0 + DAY - 1);
            // the 24 h before T0 + 24 h no longer do: two deliveries, one more is allowed
            fire("news-tap", T0 + DAY);
            // the 24 h before hold T0 + 1 h, T0 + 2 h and T0 + 24 h: full again
            fire("help-tap", T0 + DAY + MIN_GAP);
            runToTheEnd();

            assertThat(statuses())
                    .containsExactly(
                            entry(alices("help-burst", T0), DELIVERED),
                            entry(alices("tips-burst", T0 + HOUR), DELIVERED),
                            entry(alices("promo-burst", T0 + 2 * HOUR), DELIVERED),
                            entry(alices("news-burst", T0 + DAY - 1), DAILY_CAP),
                            entry(alices("news-burst", T0 + DAY), DELIVERED),
                            entry(alices("help-burst", T0 + DAY + MIN_GAP), DAILY_CAP));
        }
    }

    // ---- the order of the checks: the first failing one names the reason ----

    @Nested
    class OrderOfChecks {
        /**
         * help at 0, tips at 2 min, promo at 4 min: all delivered, and the daily cap of 3 is full.
         */
        private void threeDeliveries() throws Exception {
            fire("help-tap", T0);
            fire("tips-tap", T0 + 2 * MINUTE);
            fire("promo-tap", T0 + 4 * MINUTE);
        }

        @Test
        void dismissedComesBeforeCooldownMinGapAndDailyCap() throws Exception {
            open(RULES);
            threeDeliveries();
            feed(dismissal(ALICE, "help", T0 + 5 * MINUTE));
            // help at 5.5 min: dismissed, in help's cooldown, 1.5 min after promo, fourth of the
            // day
            fire("help-tap", T0 + 5 * MINUTE + 30 * SECOND);
            runToTheEnd();

            assertThat(last()).isEqualTo(DISMISSED);
        }

        @Test
        void cooldownComesBeforeMinGapAndDailyCap() throws Exception {
            open(RULES);
            threeDeliveries();
            // help at 5 min: in help's cooldown, 1 min after promo, fourth of the day
            fire("help-tap", T0 + 5 * MINUTE);
            runToTheEnd();

            assertThat(last()).isEqualTo(COOLDOWN_HIT);
        }

        @Test
        void minGapComesBeforeDailyCap() throws Exception {
            open(RULES);
            threeDeliveries();
            // news at 5 min: never shown, 1 min after promo, fourth of the day
            fire("news-tap", T0 + 5 * MINUTE);
            runToTheEnd();

            assertThat(last()).isEqualTo(MIN_GAP_HIT);
        }

        @Test
        void dailyCapAlone() throws Exception {
            open(RULES);
            threeDeliveries();
            // news at 6 min: never shown, exactly the gap after promo, fourth of the day
            fire("news-tap", T0 + 6 * MINUTE);
            runToTheEnd();

            assertThat(last()).isEqualTo(DAILY_CAP);
        }

        private String last() {
            List<String> all = new ArrayList<>(statuses().values());
            assertThat(all).hasSize(4).startsWith(DELIVERED, DELIVERED, DELIVERED);
            return all.get(3);
        }
    }

    // ---- suppressed triggers count for nothing ----

    @Nested
    class SuppressedTriggersAreNotDeliveries {
        @Test
        void aSuppressedTriggerDoesNotStartACooldown() throws Exception {
            open(RULES);
            fire("help-tap", T0);
            fire("help-tap", T0 + 30 * MINUTE);
            // one hour after the delivery, half an hour after the suppressed one
            fire("help-tap", T0 + COOLDOWN);
            runToTheEnd();

            assertThat(statuses())
                    .containsExactly(
                            entry(alices("help-burst", T0), DELIVERED),
                            entry(alices("help-burst", T0 + 30 * MINUTE), COOLDOWN_HIT),
                            entry(alices("help-burst", T0 + COOLDOWN), DELIVERED));
        }

        @Test
        void aSuppressedTriggerDoesNotStartAGapNorFillTheDailyCap() throws Exception {
            open(RULES);
            fire("help-tap", T0);
            fire("tips-tap", T0 + MINUTE);
            // the gap after help is over; had tips counted, this would be 1 min after it
            fire("promo-tap", T0 + MIN_GAP);
            // had tips counted, this would be the fourth of the day
            fire("news-tap", T0 + 2 * MIN_GAP);
            runToTheEnd();

            assertThat(statuses())
                    .containsExactly(
                            entry(alices("help-burst", T0), DELIVERED),
                            entry(alices("tips-burst", T0 + MINUTE), MIN_GAP_HIT),
                            entry(alices("promo-burst", T0 + MIN_GAP), DELIVERED),
                            entry(alices("news-burst", T0 + 2 * MIN_GAP), DELIVERED));
        }

        @Test
        void aDismissedTriggerDoesNotStartAGap() throws Exception {
            open(RULES);
            feed(dismissal(ALICE, "help", T0));
            fire("help-tap", T0 + SECOND);
            fire("tips-tap", T0 + 2 * SECOND);
            runToTheEnd();

            assertThat(statuses())
                    .containsExactly(
                            entry(alices("help-burst", T0 + SECOND), DISMISSED),
                            entry(alices("tips-burst", T0 + 2 * SECOND), DELIVERED));
        }
    }

    // ---- the same instant: higher priority first, then rule id ----

    @Nested
    class SameInstant {
        /**
         * {@code duo-tap} fires two rules of equal priority, the larger id first in the file;
         * {@code pri-tap} fires a low priority rule with the smaller id and a high priority one;
         * {@code min-tap} fires a rule of the lowest priority the rules file accepts and one of
         * priority 0.
         */
        private static final String TIE_RULES =
                """
                version: 1
                delivery: {ttl: 10m, minGap: 2m, maxPerDay: 5, cooldown: 1h}
                rules:
                  - id: zz-first
                    guide: first-guide
                    kind: burst
                    match: {type: duo-tap}
                    count: 2
                    within: 1s
                  - id: aa-second
                    guide: second-guide
                    kind: burst
                    match: {type: duo-tap}
                    count: 2
                    within: 1s
                  - id: aa-low
                    guide: low-guide
                    kind: burst
                    match: {type: pri-tap}
                    count: 2
                    within: 1s
                  - id: zz-high
                    guide: high-guide
                    kind: burst
                    match: {type: pri-tap}
                    count: 2
                    within: 1s
                    priority: 10
                  - id: aa-lowest
                    guide: lowest-guide
                    kind: burst
                    match: {type: min-tap}
                    count: 2
                    within: 1s
                    priority: -2147483648
                  - id: zz-zero
                    guide: zero-guide
                    kind: burst
                    match: {type: min-tap}
                    count: 2
                    within: 1s
                    priority: 0
                """;

        @Test
        void equalPrioritiesGoByRuleIdNotFileOrder() throws Exception {
            open(TIE_RULES);
            fire("duo-tap", T0);
            runToTheEnd();

            assertThat(statuses())
                    .containsOnly(
                            entry(alices("aa-second", T0), DELIVERED),
                            entry(alices("zz-first", T0), MIN_GAP_HIT));
        }

        @Test
        void theHigherPriorityWinsOverTheSmallerRuleId() throws Exception {
            open(TIE_RULES);
            fire("pri-tap", T0);
            runToTheEnd();

            assertThat(statuses())
                    .containsOnly(
                            entry(alices("zz-high", T0), DELIVERED),
                            entry(alices("aa-low", T0), MIN_GAP_HIT));
        }

        @Test
        void theLowestAcceptedPriorityIsStillTheLowest() throws Exception {
            open(TIE_RULES);
            fire("min-tap", T0);
            runToTheEnd();

            assertThat(statuses())
                    .containsOnly(
                            entry(alices("zz-zero", T0), DELIVERED),
                            entry(alices("aa-lowest", T0), MIN_GAP_HIT));
        }

        /**
         * A stall deadline and a burst at the same instant. Events run before the deadlines of
         * their instant, so the burst is found first; the order must still be the policy's. {@code
         * form-stall} sorts before {@code help-burst} by id.
         */
        @ParameterizedTest(name = "stall priority {0}: {1} is delivered")
        @CsvSource({"0, form-stall", "1, form-stall", "-1, help-burst"})
        void aStallDeadlineAndAnEventTriggerAtTheSameInstant(int stallPriority, String winner)
                throws Exception {
            open(
                    """
                    version: 1
                    delivery: {ttl: 10m, minGap: 2m, maxPerDay: 5, cooldown: 1h}
                    rules:
                      - id: help-burst
                        guide: help
                        kind: burst
                        match: {type: help-tap}
                        count: 2
                        within: 1s
                      - id: form-stall
                        guide: form-help
                        kind: stall
                        start: {type: open-form}
                        progress: [{type: submit}]
                        within: 5s
                        priority: %d
                    """
                            .formatted(stallPriority));
            feed(event(ALICE, T0, "open-form"));
            fire("help-tap", T0 + STALL_WITHIN);
            runToTheEnd();

            String loser = winner.equals("form-stall") ? "help-burst" : "form-stall";
            assertThat(statuses())
                    .containsOnly(
                            entry(alices(winner, T0 + STALL_WITHIN), DELIVERED),
                            entry(alices(loser, T0 + STALL_WITHIN), MIN_GAP_HIT));
        }

        /**
         * A comeback (per user, gap 1 s) fires on the first tap, the burst on the second, both at
         * the same ts; equal priorities, and {@code help-burst} sorts before {@code welcome-back}.
         */
        @Test
        void aComebackAndABurstOnTheSameInstant() throws Exception {
            open(
                    """
                    version: 1
                    delivery: {ttl: 10m, minGap: 2m, maxPerDay: 5, cooldown: 1h}
                    rules:
                      - id: welcome-back
                        guide: whats-new
                        kind: comeback
                        gap: 1s
                      - id: help-burst
                        guide: help
                        kind: burst
                        match: {type: help-tap}
                        count: 2
                        within: 1s
                    """);
            feed(event(ALICE, T0, "page_view"));
            fire("help-tap", T0 + 10 * SECOND);
            // a later comeback, clear of the gap: delivered, so the comeback rule itself is
            // deliverable
            feed(event(ALICE, T0 + 10 * MINUTE, "page_view"));
            runToTheEnd();

            assertThat(statuses())
                    .containsOnly(
                            entry(alices("help-burst", T0 + 10 * SECOND), DELIVERED),
                            entry(
                                    Trigger.triggerId(
                                            "welcome-back", ALICE, null, T0 + 10 * SECOND),
                                    MIN_GAP_HIT),
                            entry(
                                    Trigger.triggerId(
                                            "welcome-back", ALICE, null, T0 + 10 * MINUTE),
                                    DELIVERED));
        }
    }

    // ---- every trigger leaves with a status ----

    @Test
    void everyTriggerLeavesWithItsStatusInTsOrder() throws Exception {
        open(RULES);
        feed(dismissal(ALICE, "news", T0));
        fire("help-tap", T0 + SECOND); // delivered
        fire("tips-tap", T0 + MINUTE); // min_gap: 59 s after help
        fire("news-tap", T0 + 3 * MINUTE); // dismissed
        fire("help-tap", T0 + 4 * MINUTE); // cooldown: help delivered 3 min 59 s before
        fire("promo-tap", T0 + 5 * MINUTE); // delivered
        feed(
                event(
                        ALICE,
                        T0 + 10 * MINUTE - STALL_WITHIN,
                        "open-help")); // help-stall at 10 min: cooldown
        fire(
                "tips-tap",
                T0 + 10 * MINUTE); // delivered: tips was never delivered, 5 min after promo
        fire("promo-tap", T0 + 20 * MINUTE); // daily_cap: own cooldown (10 min) over, gap over
        runToTheEnd();

        List<Trigger> out = harness.extractOutputValues();
        assertThat(out)
                .extracting(t -> t.status)
                .allMatch(
                        s ->
                                s.matches(
                                        "delivered|suppressed:(dismissed|cooldown|min_gap|daily_cap)"));
        assertThat(out).extracting(t -> t.ts).isSorted();
        assertThat(statuses())
                .containsOnly(
                        entry(alices("help-burst", T0 + SECOND), DELIVERED),
                        entry(alices("tips-burst", T0 + MINUTE), MIN_GAP_HIT),
                        entry(alices("news-burst", T0 + 3 * MINUTE), DISMISSED),
                        entry(alices("help-burst", T0 + 4 * MINUTE), COOLDOWN_HIT),
                        entry(alices("promo-burst", T0 + 5 * MINUTE), DELIVERED),
                        entry(alices("help-stall", T0 + 10 * MINUTE), COOLDOWN_HIT),
                        entry(alices("tips-burst", T0 + 10 * MINUTE), DELIVERED),
                        entry(alices("promo-burst", T0 + 20 * MINUTE), DAILY_CAP));
        assertThat(out).hasSize(8);
    }

    // ---- end of life of the policy's state ----

    @Nested
    class EndOfLife {
        @Test
        void deliveriesAreForgottenAfterTheLongestCooldownAndThenADay() throws Exception {
            open(RULES);
            fire("help-tap", T0);
            advanceTo(T0);
            assertThat(statuses()).containsExactly(entry(alices("help-burst", T0), DELIVERED));

            // event ids and the session go at T0 + 10 min, swept at the whole minute after: T0 + 10
            // min 40 s.
            // Left: the guide's last delivery, the recent deliveries, the inbox (next sweep and
            // timer)
            advanceTo(T0 + DEDUP_WINDOW + TO_WHOLE_MINUTE);
            assertThat(harness.numKeyedStateEntries()).isEqualTo(3);
            assertThat(harness.numEventTimeTimers()).isEqualTo(1);

            // the last delivery of a guide is kept for the longest cooldown of the rules (news: 2
            // h)
            advanceTo(T0 + NEWS_COOLDOWN + TO_WHOLE_MINUTE - 1);
            assertThat(harness.numKeyedStateEntries()).isEqualTo(3);
            advanceTo(T0 + NEWS_COOLDOWN + TO_WHOLE_MINUTE);
            assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
            assertThat(harness.numEventTimeTimers()).isEqualTo(1);

            // the recent deliveries for a day (the daily cap looks back 24 h)
            advanceTo(T0 + DAY + TO_WHOLE_MINUTE - 1);
            assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
            advanceTo(T0 + DAY + TO_WHOLE_MINUTE);
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }

        @Test
        void aDismissalIsForgottenAfterTheUserRetention() throws Exception {
            open(RULES);
            feed(dismissal(ALICE, "help", T0));

            advanceTo(T0 + DEDUP_WINDOW + TO_WHOLE_MINUTE);
            // left: the dismissal and the inbox (next sweep and timer)
            assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
            assertThat(harness.numEventTimeTimers()).isEqualTo(1);

            advanceTo(T0 + USER_RETENTION + TO_WHOLE_MINUTE - 1);
            assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
            advanceTo(T0 + USER_RETENTION + TO_WHOLE_MINUTE);
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
            assertThat(harness.extractOutputValues()).isEmpty();
        }

        @Test
        void aSuppressedTriggerLeavesNoDeliveryState() throws Exception {
            open(RULES);
            feed(dismissal(ALICE, "help", T0));
            fire("help-tap", T0 + SECOND);

            advanceTo(T0 + DEDUP_WINDOW + TO_WHOLE_MINUTE);
            assertThat(statuses())
                    .containsExactly(entry(alices("help-burst", T0 + SECOND), DISMISSED));
            // only the dismissal and the inbox: no last delivery, no recent deliveries
            assertThat(harness.numKeyedStateEntries()).isEqualTo(2);

            advanceTo(T0 + USER_RETENTION + TO_WHOLE_MINUTE);
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }

        @Test
        void dismissalsAndDeliveriesTogetherEndWithTheLaterOfTheirLives() throws Exception {
            open(RULES);
            feed(dismissal(ALICE, "tips", T0));
            fire("help-tap", T0);
            fire("tips-tap", T0 + 3 * MINUTE);

            advanceTo(T0 + DAY + TO_WHOLE_MINUTE);
            assertThat(statuses())
                    .containsExactly(
                            entry(alices("help-burst", T0), DELIVERED),
                            entry(alices("tips-burst", T0 + 3 * MINUTE), DISMISSED));
            // the deliveries are gone, the dismissal of tips is not (with the inbox)
            assertThat(harness.numKeyedStateEntries()).isEqualTo(2);

            advanceTo(T0 + USER_RETENTION + TO_WHOLE_MINUTE);
            assertThat(harness.numKeyedStateEntries()).isZero();
            assertThat(harness.numEventTimeTimers()).isZero();
        }
    }

    // ---- builders ----

    /**
     * Two taps of {@code type} by alice at {@code ts}: a burst of count 2 fires at exactly {@code
     * ts}.
     */
    private void fire(String type, long ts) throws Exception {
        fire(ALICE, type, ts);
    }

    private void fire(String user, String type, long ts) throws Exception {
        feed(event(user, ts, type), event(user, ts, type));
    }

    private Event event(String user, long ts, String type) {
        return new Event(nextId(), user, SESSION, ts, type, null, null, null);
    }

    private Event dismissal(String user, String guide, long ts) {
        return feedback(user, "guide_dismissed", guide, ts);
    }

    private Event completion(String user, String guide, long ts) {
        return feedback(user, "guide_completed", guide, ts);
    }

    private Event feedback(String user, String type, String guide, long ts) {
        return new Event(
                nextId(),
                user,
                SESSION,
                ts,
                type,
                null,
                null,
                Map.of("guide", guide, "triggerId", "some-trigger"));
    }

    private String nextId() {
        return "e-" + (++nextEventId);
    }

    /**
     * The SPEC's triggerId of alice's session trigger (burst or stall) of {@code ruleId} at {@code
     * ts}.
     */
    private static String alices(String ruleId, long ts) {
        return ruleId + '|' + ALICE + '|' + SESSION + '|' + ts;
    }

    // ---- harness ----

    private void open(String rulesYaml) throws Exception {
        RuleSet rules = RulesParser.parse(rulesYaml, "test rules");
        harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new DetectionFunction(
                                rules,
                                new DetectionSettings(
                                        DEDUP_WINDOW, SESSION_TIMEOUT, USER_RETENTION)),
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

    /** Far enough for every trigger of a test to be decided. */
    private void runToTheEnd() throws Exception {
        advanceTo(T0 + 30 * DAY);
    }

    /** triggerId -> status, in output order. */
    private Map<String, String> statuses() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Trigger t : harness.<Trigger>extractOutputValues()) {
            assertThat(out.put(t.triggerId, t.status))
                    .as("trigger %s leaves once", t.triggerId)
                    .isNull();
        }
        return out;
    }
}
