package io.guidance.detect;

import static io.guidance.detect.DetectionHarness.ALICE;
import static io.guidance.detect.DetectionHarness.BOB;
import static io.guidance.detect.DetectionHarness.DAY;
import static io.guidance.detect.DetectionHarness.HOUR;
import static io.guidance.detect.DetectionHarness.MINUTE;
import static io.guidance.detect.DetectionHarness.SECOND;
import static io.guidance.detect.DetectionHarness.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.Event;
import io.guidance.trigger.Trigger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC section 2: per key, events are evaluated in ts order, equal ts in input order, so the
 * triggers do not depend on the arrival order of events that are out of order within the bound. The
 * harness only evaluates an event once the watermark passes it, so feeding a whole story before
 * advancing time is arrival within the bound.
 */
class ArrivalOrderTest {
    /** All five kinds side by side. */
    private static final String ALL_KINDS =
            """
              - id: checkout-stall
                guide: checkout-help
                kind: stall
                start: {type: page_view, page: /checkout}
                progress: [{type: click, target: "#pay"}]
                within: 8s
              - id: rage-click
                guide: help-widget
                kind: burst
                match: {type: click}
                sameField: target
                count: 3
                within: 1s
              - id: plan-loop
                guide: plan-chooser
                kind: loop
                match: {type: page_view, page: "/plans*"}
                field: page
                times: 3
                within: 60s
              - id: friends
                guide: invite-friends
                kind: threshold
                action: {type: friend_added}
                target: 3
                window: {sinceFirstSeen: 1d}
                nudgeFrom: 2
                reachedGuide: friends-milestone
              - id: welcome-back
                guide: whats-new
                kind: comeback
                gap: 1h
            """;

    private DetectionHarness h;

    @BeforeEach
    void open() throws Exception {
        h = DetectionHarness.of(ALL_KINDS);
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    @Test
    void theSortedStoryGivesTheTriggersWorkedOutByHand() throws Exception {
        h.feed(story());
        h.advanceTo(T0 + DAY);

        assertThat(h.triggers())
                .extracting(t -> t.triggerId + " " + t.guide)
                .containsExactlyInAnyOrder(
                        "rage-click|alice|s1|" + (T0 + 3_400) + " help-widget",
                        "plan-loop|alice|s1|" + (T0 + 5_000) + " plan-chooser",
                        "friends|alice|-|" + (T0 + 7_000) + " invite-friends",
                        "checkout-stall|alice|s1|" + (T0 + 18_000) + " checkout-help",
                        "welcome-back|alice|-|" + (T0 + 2 * HOUR) + " whats-new",
                        "friends|alice|-|" + (T0 + 2 * HOUR) + " invite-friends",
                        "friends|alice|-|" + (T0 + 2 * HOUR + SECOND) + " friends-milestone",
                        "rage-click|bob|s7|" + (T0 + 2_700) + " help-widget",
                        "checkout-stall|bob|s7|" + (T0 + 28_000) + " checkout-help");
    }

    @Test
    void twentyShufflesGiveTheSameTriggersAsSortedOrder() throws Exception {
        List<Event> story = story();
        List<Event> sorted = new ArrayList<>(story);
        sorted.sort(Comparator.comparingLong(e -> e.ts));
        h.feed(sorted);
        h.advanceTo(T0 + DAY);
        List<Trigger> fromSorted = h.triggers();
        assertThat(fromSorted).hasSize(9);

        for (long seed = 1; seed <= 20; seed++) {
            List<Event> shuffled = new ArrayList<>(story);
            Collections.shuffle(shuffled, new Random(seed));
            assertThat(shuffled).as("seed %d shuffles", seed).isNotEqualTo(sorted);

            try (DetectionHarness run = DetectionHarness.of(ALL_KINDS)) {
                run.feed(shuffled);
                run.advanceTo(T0 + DAY);
                assertThat(run.triggers())
                        .as("seed %d", seed)
                        .containsExactlyInAnyOrderElementsOf(fromSorted);
                // per user, the triggers also come out in the same order
                for (String user : List.of(ALICE, BOB)) {
                    assertThat(run.triggers().stream().filter(t -> t.userId.equals(user)).toList())
                            .as("seed %d, %s", seed, user)
                            .containsExactlyElementsOf(
                                    fromSorted.stream()
                                            .filter(t -> t.userId.equals(user))
                                            .toList());
                }
            }
        }
    }

    @Test
    void equalTimestampsKeepInputOrder() throws Exception {
        // both users: A at T0, B at T0 + 1 s, A at T0 + 2 s, then A and B at the same instant T0 +
        // 3 s.
        // alice sends A then B: A is a refresh, B makes B twice -> nothing.
        // bob sends B then A: B makes B twice, then A is not a refresh (previous B) and makes A
        // three times -> loop.
        for (String user : List.of(ALICE, BOB)) {
            h.feed(
                    plan(user, T0, "/plans/a"),
                    plan(user, T0 + SECOND, "/plans/b"),
                    plan(user, T0 + 2 * SECOND, "/plans/a"));
        }
        h.feed(plan(ALICE, T0 + 3 * SECOND, "/plans/a"), plan(ALICE, T0 + 3 * SECOND, "/plans/b"));
        h.feed(plan(BOB, T0 + 3 * SECOND, "/plans/b"), plan(BOB, T0 + 3 * SECOND, "/plans/a"));
        h.advanceTo(T0 + DAY);

        assertThat(h.triggerIds()).containsExactly("plan-loop|bob|s1|" + (T0 + 3_000));
        assertThat(h.triggers().get(0).reason).containsEntry("value", "\"/plans/a\"");
    }

    @Test
    void equalTimestampsKeepInputOrderForSessionStarts() throws Exception {
        // two friends make the count 2; then at one instant a page view in a new session and a
        // third friend.
        // alice: the page view first is the session start with count 2 (nudge), then the friend
        // reaches 3.
        // bob: the friend first is a counted action that also starts the session (one trigger:
        // reached); the page
        // view after it is no longer the session's first event.
        for (String user : List.of(ALICE, BOB)) {
            h.feed(friend(user, "s1", T0), friend(user, "s1", T0 + MINUTE));
        }
        h.feed(
                h.event(ALICE, "s2", T0 + HOUR - SECOND, "page_view", "/home", null),
                friend(ALICE, "s2", T0 + HOUR - SECOND));
        h.feed(
                friend(BOB, "s2", T0 + HOUR - SECOND),
                h.event(BOB, "s2", T0 + HOUR - SECOND, "page_view", "/home", null));
        h.advanceTo(T0 + DAY);

        long at = T0 + HOUR - SECOND;
        assertThat(h.triggers())
                .extracting(t -> t.triggerId + " " + t.guide + " " + t.reason.get("count"))
                .containsExactlyInAnyOrder(
                        "friends|alice|-|" + (T0 + MINUTE) + " invite-friends 2",
                        "friends|alice|-|" + at + " invite-friends 2",
                        "friends|alice|-|" + at + " friends-milestone 3",
                        "friends|bob|-|" + (T0 + MINUTE) + " invite-friends 2",
                        "friends|bob|-|" + at + " friends-milestone 3");
    }

    /**
     * Worked out by hand (distinct ts per user, so that sorted order is the one order):
     *
     * <ul>
     *   <li>alice s1: plans basic, pro, basic at 0, 1, 2 s; three #x clicks at 3, 3.2, 3.4 s fire
     *       rage-click at 3.4 s; pro at 4 s; basic at 5 s is basic's third time in 60 s: plan-loop
     *       at 5 s. Friends at 6 s (count 1) and 7 s (count 2: nudge). /checkout at 10 s with no
     *       #pay: the stall fires at 18 s.
     *   <li>alice s2 at 2 h: away since 10 s, over 1 h: welcome-back; a new session with count 2:
     *       nudge. A friend at 2 h 1 s: count 3, friends-milestone.
     *   <li>bob s7: /checkout at 0.5 s, #pay at 1.5 s cancels. #pay clicks at 1.5, 1.7, 2.6 s: at
     *       2.6 s the one at 1.5 s is out of [1.6 s, 2.6 s]; the fourth at 2.7 s makes 1.7, 2.6,
     *       2.7: rage-click at 2.7 s. /checkout at 20 s, #pay at 29 s is after the deadline: the
     *       stall fires at 28 s.
     *   <li>bob s8 at 40 min: 39 min after his last event, under the 1 h gap; count 0: nothing.
     *   <li>carol: basic, basic (refresh), pro, basic, pro: basic twice, nothing.
     * </ul>
     */
    private List<Event> story() {
        List<Event> s = new ArrayList<>();
        s.add(plan(ALICE, T0, "/plans/basic"));
        s.add(plan(ALICE, T0 + SECOND, "/plans/pro"));
        s.add(plan(ALICE, T0 + 2 * SECOND, "/plans/basic"));
        s.add(click(ALICE, "s1", T0 + 3_000, "#x"));
        s.add(click(ALICE, "s1", T0 + 3_200, "#x"));
        s.add(click(ALICE, "s1", T0 + 3_400, "#x"));
        s.add(plan(ALICE, T0 + 4 * SECOND, "/plans/pro"));
        s.add(plan(ALICE, T0 + 5 * SECOND, "/plans/basic"));
        s.add(friend(ALICE, "s1", T0 + 6 * SECOND));
        s.add(friend(ALICE, "s1", T0 + 7 * SECOND));
        s.add(h.event(ALICE, "s1", T0 + 10 * SECOND, "page_view", "/checkout", null));
        s.add(h.event(ALICE, "s2", T0 + 2 * HOUR, "page_view", "/home", null));
        s.add(friend(ALICE, "s2", T0 + 2 * HOUR + SECOND));

        s.add(h.event(BOB, "s7", T0 + 500, "page_view", "/checkout", null));
        s.add(click(BOB, "s7", T0 + 1_500, "#pay"));
        s.add(click(BOB, "s7", T0 + 1_700, "#pay"));
        s.add(click(BOB, "s7", T0 + 2_600, "#pay"));
        s.add(click(BOB, "s7", T0 + 2_700, "#pay"));
        s.add(h.event(BOB, "s7", T0 + 20 * SECOND, "page_view", "/checkout", null));
        s.add(click(BOB, "s7", T0 + 29 * SECOND, "#pay"));
        s.add(h.event(BOB, "s8", T0 + 40 * MINUTE, "page_view", "/home", null));

        s.add(plan("carol", T0 + 100, "/plans/basic"));
        s.add(plan("carol", T0 + 1_100, "/plans/basic"));
        s.add(plan("carol", T0 + 2_100, "/plans/pro"));
        s.add(plan("carol", T0 + 3_100, "/plans/basic"));
        s.add(plan("carol", T0 + 4_100, "/plans/pro"));
        return s;
    }

    private Event plan(String user, long ts, String page) {
        return h.event(user, "s1", ts, "page_view", page, null);
    }

    private Event click(String user, String session, long ts, String target) {
        return h.event(user, session, ts, "click", "/checkout", target);
    }

    private Event friend(String user, String session, long ts) {
        return h.event(user, session, ts, "friend_added", "/friends", null);
    }
}
