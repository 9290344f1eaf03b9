package io.guidance.detect;

import static io.guidance.detect.DetectionHarness.ALICE;
import static io.guidance.detect.DetectionHarness.BOB;
import static io.guidance.detect.DetectionHarness.DAY;
import static io.guidance.detect.DetectionHarness.HOUR;
import static io.guidance.detect.DetectionHarness.MINUTE;
import static io.guidance.detect.DetectionHarness.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.Event;
import io.guidance.trigger.Trigger;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC section 3, {@code threshold}: counts {@code action} events per user, {@code sinceFirstSeen:
 * D} in [firstSeen, firstSeen + D) (open while t &lt; firstSeen + D) or {@code rolling: W} in (t -
 * W, t] (always open). After a counted action: count &gt;= target fires reachedGuide (once per user
 * for sinceFirstSeen; for rolling only when none fired in (t - W, t]); otherwise nudgeFrom &lt;=
 * count &lt; target fires guide. The first event of a sessionId not seen before, when not a counted
 * action, nudges when the window is open and the count is in the band. One trigger per event per
 * rule.
 *
 * <p>Every story starts with alice's page view at {@link DetectionHarness#T0}, so firstSeen is T0.
 */
class ThresholdDetectionTest {
    /** sinceFirstSeen 10 d, target 4, nudge band [2, 4). */
    private static final String FRIENDS =
            """
              - id: friends
                guide: invite-friends
                kind: threshold
                action: {type: friend_added}
                target: 4
                window: {sinceFirstSeen: 10d}
                nudgeFrom: 2
                reachedGuide: friends-milestone
            """;

    /** rolling 7 d, target 3, nudge band [2, 3). */
    private static final String POSTING =
            """
              - id: posting
                guide: post-more
                kind: threshold
                action: {type: post_created}
                target: 3
                window: {rolling: 7d}
                nudgeFrom: 2
                reachedGuide: posting-streak
            """;

    /** No nudgeFrom: only the milestone. */
    private static final String BUYER =
            """
              - id: buyer
                guide: buyer-tips
                kind: threshold
                action: {type: purchase}
                target: 2
                window: {sinceFirstSeen: 10d}
                reachedGuide: buyer-badge
            """;

    /** nudgeFrom 0 and no reachedGuide: nudges a user who has done nothing yet. */
    private static final String FIRST_STEPS =
            """
              - id: first-steps
                guide: tutorial
                kind: threshold
                action: {type: tutorial_step}
                target: 2
                window: {sinceFirstSeen: 1d}
                nudgeFrom: 0
            """;

    private static final long TEN_DAYS = 10 * DAY;
    private static final long SEVEN_DAYS = 7 * DAY;

    private DetectionHarness h;

    @AfterEach
    void close() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    // ---- sinceFirstSeen ----

    @Test
    void nudgesInTheBandThenReachesTheTargetOnce() throws Exception {
        h = DetectionHarness.of(FRIENDS);
        h.feed(view("s1", T0));
        for (int i = 1; i <= 6; i++) {
            h.feed(friend("s1", T0 + i * MINUTE));
        }
        h.advanceTo(T0 + 30 * DAY);

        // counts 1..6: 1 is below the band, 2 and 3 nudge, 4 reaches the target, 5 and 6 fire
        // nothing (once per user)
        assertThat(summary())
                .containsExactly(
                        "friends|alice|-|" + (T0 + 2 * MINUTE) + " invite-friends count=2",
                        "friends|alice|-|" + (T0 + 3 * MINUTE) + " invite-friends count=3",
                        "friends|alice|-|" + (T0 + 4 * MINUTE) + " friends-milestone count=4");
        Trigger reached = h.triggers().get(2);
        assertThat(reached.kind).isEqualTo("threshold");
        assertThat(reached.sessionId).as("a per-user kind").isNull();
        assertThat(reached.reason)
                .containsEntry("count", "4")
                .containsEntry("target", "4")
                .containsEntry("sinceFirstSeen", "864000000")
                .containsEntry("firstSeen", Long.toString(T0))
                .containsEntry("reached", "true");
        assertThat(h.triggers().get(0).reason).doesNotContainKeys("reached", "newSession");
    }

    @Test
    void anActionExactlyDAfterFirstSeenIsNotCounted() throws Exception {
        h = DetectionHarness.of(FRIENDS);
        h.feed(
                view("s1", T0),
                friend("s1", T0 + HOUR),
                friend("s1", T0 + 2 * HOUR),
                friend("s1", T0 + 3 * HOUR),
                friend("s1", T0 + TEN_DAYS));
        h.advanceTo(T0 + 30 * DAY);

        // the window is [T0, T0 + 10 d): counted, the fourth action would reach the target
        assertThat(summary())
                .containsExactly(
                        "friends|alice|-|" + (T0 + 2 * HOUR) + " invite-friends count=2",
                        "friends|alice|-|" + (T0 + 3 * HOUR) + " invite-friends count=3");
    }

    @Test
    void anActionOneMillisecondBeforeTheWindowEndsIsCounted() throws Exception {
        h = DetectionHarness.of(FRIENDS);
        h.feed(
                view("s1", T0),
                friend("s1", T0 + HOUR),
                friend("s1", T0 + 2 * HOUR),
                friend("s1", T0 + 3 * HOUR),
                friend("s1", T0 + TEN_DAYS - 1));
        h.advanceTo(T0 + 30 * DAY);

        assertThat(summary())
                .containsExactly(
                        "friends|alice|-|" + (T0 + 2 * HOUR) + " invite-friends count=2",
                        "friends|alice|-|" + (T0 + 3 * HOUR) + " invite-friends count=3",
                        "friends|alice|-|" + (T0 + TEN_DAYS - 1) + " friends-milestone count=4");
    }

    @Test
    void firstSeenIsTheFirstEventOfAnyType() throws Exception {
        h = DetectionHarness.of(FRIENDS);
        // first action 9 days after the first page view: the window still closes at T0 + 10 d
        h.feed(
                view("s1", T0),
                friend("s1", T0 + 9 * DAY),
                friend("s1", T0 + 9 * DAY + HOUR),
                friend("s1", T0 + TEN_DAYS + HOUR));
        h.advanceTo(T0 + 30 * DAY);

        assertThat(summary())
                .containsExactly(
                        "friends|alice|-|" + (T0 + 9 * DAY + HOUR) + " invite-friends count=2");
        assertThat(h.triggers().get(0).reason)
                .containsEntry("count", "2")
                .containsEntry("target", "4")
                .containsEntry("firstSeen", Long.toString(T0))
                .containsEntry("sinceFirstSeen", Long.toString(TEN_DAYS));
    }

    @Test
    void eachUserHasTheirOwnFirstSeenAndCount() throws Exception {
        h = DetectionHarness.of(FRIENDS);
        h.feed(
                view("s1", T0),
                friend("s1", T0 + MINUTE),
                h.event(BOB, "b1", T0 + 5 * DAY, "page_view", "/home", null),
                h.event(BOB, "b1", T0 + 11 * DAY, "friend_added", "/friends", null),
                h.event(BOB, "b1", T0 + 11 * DAY + MINUTE, "friend_added", "/friends", null));
        h.advanceTo(T0 + 30 * DAY);

        // bob's window is [T0 + 5 d, T0 + 15 d); alice's single action does not add to his count
        assertThat(summary())
                .containsExactly(
                        "friends|bob|-|" + (T0 + 11 * DAY + MINUTE) + " invite-friends count=2");
    }

    @Test
    void theFirstEventOfANewSessionNudgesWhenTheCountIsInTheBand() throws Exception {
        h = DetectionHarness.of(FRIENDS);
        h.feed(
                view("s1", T0),
                friend("s1", T0 + MINUTE),
                friend("s1", T0 + 2 * MINUTE),
                view("s2", T0 + HOUR),
                view("s2", T0 + HOUR + MINUTE),
                h.event(ALICE, "s3", T0 + 2 * HOUR, "click", "/home", "#menu"));
        h.advanceTo(T0 + 30 * DAY);

        assertThat(summary())
                .containsExactly(
                        "friends|alice|-|" + (T0 + 2 * MINUTE) + " invite-friends count=2",
                        "friends|alice|-|" + (T0 + HOUR) + " invite-friends count=2",
                        "friends|alice|-|" + (T0 + 2 * HOUR) + " invite-friends count=2");
        assertThat(h.triggers().get(1).reason).containsEntry("newSession", "\"s2\"");
        assertThat(h.triggers().get(2).reason).containsEntry("newSession", "\"s3\"");
    }

    @Test
    void noSessionStartNudgeBelowOrAboveTheBand() throws Exception {
        h = DetectionHarness.of(FRIENDS);
        h.feed(
                view("s1", T0),
                friend("s1", T0 + MINUTE),
                view("s2", T0 + HOUR), // count 1: below the band
                friend("s2", T0 + 2 * HOUR),
                friend("s2", T0 + 3 * HOUR),
                friend("s2", T0 + 4 * HOUR),
                view("s3", T0 + 5 * HOUR)); // count 4: the target is reached, no nudge
        h.advanceTo(T0 + 30 * DAY);

        assertThat(summary())
                .containsExactly(
                        "friends|alice|-|" + (T0 + 2 * HOUR) + " invite-friends count=2",
                        "friends|alice|-|" + (T0 + 3 * HOUR) + " invite-friends count=3",
                        "friends|alice|-|" + (T0 + 4 * HOUR) + " friends-milestone count=4");
    }

    @Test
    void noSessionStartNudgeOnceTheWindowClosed() throws Exception {
        h = DetectionHarness.of(FRIENDS);
        h.feed(
                view("s1", T0),
                friend("s1", T0 + MINUTE),
                friend("s1", T0 + 2 * MINUTE),
                view("s2", T0 + TEN_DAYS - 1), // open: t < firstSeen + D
                view("s3", T0 + TEN_DAYS)); // closed
        h.advanceTo(T0 + 30 * DAY);

        assertThat(summary())
                .containsExactly(
                        "friends|alice|-|" + (T0 + 2 * MINUTE) + " invite-friends count=2",
                        "friends|alice|-|" + (T0 + TEN_DAYS - 1) + " invite-friends count=2");
    }

    /**
     * "the user's first event with a sessionId not seen before": a session that comes back after
     * the session timeout (30 min by default) was seen before, so it does not nudge again.
     */
    @Test
    void aSessionThatWasSeenBeforeDoesNotNudgeAgain() throws Exception {
        h = DetectionHarness.of(FRIENDS);
        h.feed(
                view("s1", T0),
                friend("s1", T0 + MINUTE),
                friend("s1", T0 + 2 * MINUTE),
                view("s2", T0 + HOUR),
                view("s1", T0 + 3 * HOUR),
                view("s2", T0 + 5 * HOUR));
        h.advanceTo(T0 + 30 * DAY);

        assertThat(summary())
                .containsExactly(
                        "friends|alice|-|" + (T0 + 2 * MINUTE) + " invite-friends count=2",
                        "friends|alice|-|" + (T0 + HOUR) + " invite-friends count=2");
    }

    @Test
    void anEventFiresAtMostOneTriggerPerRule() throws Exception {
        h = DetectionHarness.of(FRIENDS);
        // each action after the first opens a new session: it is a counted action and a session
        // start at once
        h.feed(
                view("s1", T0),
                friend("s1", T0 + MINUTE),
                friend("s2", T0 + HOUR),
                friend("s3", T0 + 2 * HOUR),
                friend("s4", T0 + 3 * HOUR));
        h.advanceTo(T0 + 30 * DAY);

        assertThat(summary())
                .containsExactly(
                        "friends|alice|-|" + (T0 + HOUR) + " invite-friends count=2",
                        "friends|alice|-|" + (T0 + 2 * HOUR) + " invite-friends count=3",
                        "friends|alice|-|" + (T0 + 3 * HOUR) + " friends-milestone count=4");
        assertThat(h.triggers())
                .allSatisfy(t -> assertThat(t.reason).doesNotContainKey("newSession"));
    }

    @Test
    void withoutNudgeFromOnlyTheMilestoneFires() throws Exception {
        h = DetectionHarness.of(BUYER);
        h.feed(
                view("s1", T0),
                purchase("s1", T0 + MINUTE),
                view("s2", T0 + HOUR),
                purchase("s2", T0 + 2 * HOUR),
                purchase("s2", T0 + 3 * HOUR),
                view("s3", T0 + 4 * HOUR));
        h.advanceTo(T0 + 30 * DAY);

        assertThat(summary())
                .containsExactly("buyer|alice|-|" + (T0 + 2 * HOUR) + " buyer-badge count=2");
    }

    @Test
    void nudgeFromZeroNudgesAUserWithNoActionOnEachNewSession() throws Exception {
        h = DetectionHarness.of(FIRST_STEPS);
        h.feed(
                view("s1", T0), // new user, new session, count 0
                view("s1", T0 + MINUTE), // same session
                view("s2", T0 + HOUR), // new session, count 0
                step("s2", T0 + HOUR + MINUTE), // counted, count 1
                step("s2", T0 + HOUR + 2 * MINUTE), // count 2 = target, no reachedGuide: nothing
                view("s3", T0 + 2 * HOUR)); // count 2 is not in [0, 2)
        h.advanceTo(T0 + 30 * DAY);

        assertThat(summary())
                .containsExactly(
                        "first-steps|alice|-|" + T0 + " tutorial count=0",
                        "first-steps|alice|-|" + (T0 + HOUR) + " tutorial count=0",
                        "first-steps|alice|-|" + (T0 + HOUR + MINUTE) + " tutorial count=1");
        assertThat(h.triggers().get(0).reason).containsEntry("newSession", "\"s1\"");
    }

    @Test
    void aDisabledRuleFiresNothingButKeepsCounting() throws Exception {
        h = DetectionHarness.of(FRIENDS + "    enabled: false\n");
        h.feed(
                view("s1", T0),
                friend("s1", T0 + MINUTE),
                friend("s1", T0 + 2 * MINUTE),
                view("s2", T0 + HOUR),
                friend("s2", T0 + 2 * HOUR),
                friend("s2", T0 + 3 * HOUR));
        h.advanceTo(T0 + 4 * HOUR);

        assertThat(h.triggers()).isEmpty();
        ThresholdCount count = h.thresholdCounts(ALICE).get("friends");
        assertThat(count).isNotNull();
        assertThat(count.count).isEqualTo(4);
        assertThat(h.activity(ALICE).firstSeen).isEqualTo(T0);
    }

    // ---- rolling ----

    @Test
    void rollingActionExactlyWEarlierNoLongerCounts() throws Exception {
        h = DetectionHarness.of(POSTING);
        // at T0 + 7 d the window is (T0, T0 + 7 d]: the post at T0 is out, count 1
        h.feed(post("s1", T0), post("s1", T0 + SEVEN_DAYS));
        h.advanceTo(T0 + SEVEN_DAYS + MINUTE);
        assertThat(h.triggers()).isEmpty();

        h.feed(post("s1", T0 + SEVEN_DAYS + HOUR));
        h.advanceTo(T0 + 30 * DAY);
        assertThat(summary())
                .containsExactly(
                        "posting|alice|-|" + (T0 + SEVEN_DAYS + HOUR) + " post-more count=2");
        assertThat(h.triggers().get(0).reason)
                .containsEntry("rolling", Long.toString(SEVEN_DAYS))
                .containsEntry("target", "3")
                .doesNotContainKey("firstSeen");
    }

    @Test
    void rollingActionJustUnderWEarlierStillCounts() throws Exception {
        h = DetectionHarness.of(POSTING);
        h.feed(post("s1", T0), post("s1", T0 + SEVEN_DAYS - 1));
        h.advanceTo(T0 + 30 * DAY);

        assertThat(summary())
                .containsExactly("posting|alice|-|" + (T0 + SEVEN_DAYS - 1) + " post-more count=2");
    }

    @Test
    void rollingReachedFiresOnlyWhenNoneFiredInTheWindowAndNudgesResumeAsActionsAgeOut()
            throws Exception {
        h = DetectionHarness.of(POSTING);
        h.feed(
                post("s1", T0), // 1
                post("s1", T0 + DAY), // 2: nudge
                post("s1", T0 + 2 * DAY), // 3: reached
                post("s1", T0 + 3 * DAY), // 4 in (-4 d, 3 d]: reached fired at 2 d, inside: nothing
                post("s1", T0 + 8 * DAY), // (1 d, 8 d] holds 2 d, 3 d, 8 d: 3, reached at 2 d
                // still inside: nothing
                post("s1", T0 + 9 * DAY), // (2 d, 9 d] holds 3 d, 8 d, 9 d: 3, the one at 2 d
                // is out: reached again
                post("s1", T0 + 17 * DAY), // (10 d, 17 d]: 1
                post("s1", T0 + 17 * DAY + HOUR)); // 2: below the target again, nudge
        h.advanceTo(T0 + 40 * DAY);

        assertThat(summary())
                .containsExactly(
                        "posting|alice|-|" + (T0 + DAY) + " post-more count=2",
                        "posting|alice|-|" + (T0 + 2 * DAY) + " posting-streak count=3",
                        "posting|alice|-|" + (T0 + 9 * DAY) + " posting-streak count=3",
                        "posting|alice|-|" + (T0 + 17 * DAY + HOUR) + " post-more count=2");
    }

    @Test
    void rollingSessionStartNudgeUsesTheCountInTheWindowAtThatEvent() throws Exception {
        h = DetectionHarness.of(POSTING);
        h.feed(
                post("s1", T0),
                post("s1", T0 + HOUR), // 2: nudge
                view("s2", T0 + DAY), // new session, (T0 - 6 d, T0 + 1 d] holds both: nudge
                view("s3", T0 + SEVEN_DAYS - 1), // (T0 - 1 ms, ...] still holds both: nudge
                view("s4", T0 + SEVEN_DAYS)); // (T0, T0 + 7 d] holds only the post at T0 + 1 h:
        // no nudge
        h.advanceTo(T0 + 30 * DAY);

        assertThat(summary())
                .containsExactly(
                        "posting|alice|-|" + (T0 + HOUR) + " post-more count=2",
                        "posting|alice|-|" + (T0 + DAY) + " post-more count=2",
                        "posting|alice|-|" + (T0 + SEVEN_DAYS - 1) + " post-more count=2");
        assertThat(h.triggers().get(2).reason).containsEntry("newSession", "\"s3\"");
    }

    // ---- builders ----

    /** Trigger id, guide and the count it carries, in output order. */
    private List<String> summary() {
        return h.triggers().stream()
                .map(t -> t.triggerId + " " + t.guide + " count=" + t.reason.get("count"))
                .collect(Collectors.toList());
    }

    private Event view(String session, long ts) {
        return h.event(ALICE, session, ts, "page_view", "/home", null);
    }

    private Event friend(String session, long ts) {
        return h.event(ALICE, session, ts, "friend_added", "/friends", "#add");
    }

    private Event post(String session, long ts) {
        return h.event(ALICE, session, ts, "post_created", "/compose", "#publish");
    }

    private Event purchase(String session, long ts) {
        return h.event(ALICE, session, ts, "purchase", "/checkout", null);
    }

    private Event step(String session, long ts) {
        return h.event(ALICE, session, ts, "tutorial_step", "/tutorial", null);
    }
}
