package io.guidance.detect;

import static io.guidance.detect.DetectionHarness.ALICE;
import static io.guidance.detect.DetectionHarness.DAY;
import static io.guidance.detect.DetectionHarness.HOUR;
import static io.guidance.detect.DetectionHarness.MINUTE;
import static io.guidance.detect.DetectionHarness.SECOND;
import static io.guidance.detect.DetectionHarness.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.Event;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every piece of state ends: a user who goes quiet leaves no keyed state and no timer once the
 * documented retention has passed. Event ids go after the dedup window; a session idle for
 * max(session timeout, longest burst/loop window) goes with its burst groups and loop windows; a
 * user idle for max(user retention, longest threshold window or comeback gap) goes with first/last
 * seen and threshold counts. The sweep runs on one timer per user, rounded up to the whole minute.
 *
 * <p>Settings here: dedup 1 min, session timeout 5 min, user retention 1 h. T0 is 20 s past a whole
 * minute, so an instant T0 + X (X whole minutes) plus up to 40 s rounds up to T0 + X + 40 s.
 */
class StateLifetimeTest {
    private static final DetectionSettings SHORT = new DetectionSettings(MINUTE, 5 * MINUTE, HOUR);

    private DetectionHarness h;

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    @Test
    void stallSessionIsForgottenAfterTheSessionTimeout() throws Exception {
        h =
                DetectionHarness.of(
                        """
                  - id: checkout-stall
                    guide: checkout-help
                    kind: stall
                    start: {type: page_view, page: /checkout}
                    progress: [{type: click, target: "#pay"}]
                    within: 8s
                """,
                        SHORT);
        h.feed(h.event(ALICE, "s1", T0, "page_view", "/checkout", null));
        h.advanceTo(T0 + 8 * SECOND);
        assertThat(h.triggerIds()).containsExactly("checkout-stall|alice|s1|" + (T0 + 8_000));

        // the session's last event at T0: forgotten at T0 + 5 min, rounded up to T0 + 5 min 40 s
        h.advanceTo(T0 + 5 * MINUTE + 40 * SECOND - 1);
        assertThat(h.sessions(ALICE)).containsOnlyKeys("s1");
        h.advanceTo(T0 + 5 * MINUTE + 40 * SECOND);
        assertThat(h.sessions(ALICE)).isEmpty();
        // the delivery at T0 + 8 s is remembered for the daily cap and the 1 d cooldown: to T0 + 1
        // d 40 s
        assertForgottenAt(T0 + DAY + 40 * SECOND);
    }

    @Test
    void burstGroupsGoWithTheSession() throws Exception {
        h = DetectionHarness.of(RAGE_CLICK_1S, SHORT);
        h.feed(click(T0), click(T0 + SECOND));
        h.advanceTo(T0 + SECOND);
        assertThat(h.burstGroups(ALICE)).hasSize(1);

        // last event T0 + 1 s; + 5 min = T0 + 5 min 1 s, rounded up to T0 + 5 min 40 s
        assertForgottenAt(T0 + 5 * MINUTE + 40 * SECOND);
        assertThat(h.triggers()).isEmpty();
    }

    @Test
    void aBurstWindowLongerThanTheSessionTimeoutKeepsTheSessionLonger() throws Exception {
        h =
                DetectionHarness.of(
                        RAGE_CLICK_1S
                                + """
                  - id: slow-errors
                    guide: form-help
                    kind: burst
                    match: {type: form_error}
                    count: 3
                    within: 10m
                """,
                        SHORT);
        h.feed(formError(T0), formError(T0 + SECOND));
        h.advanceTo(T0 + 6 * MINUTE);
        assertThat(h.burstGroups(ALICE)).as("kept past the 5 min session timeout").hasSize(1);

        // retention max(5 min, 10 min): T0 + 1 s + 10 min, rounded up to T0 + 10 min 40 s
        assertForgottenAt(T0 + 10 * MINUTE + 40 * SECOND);
    }

    @Test
    void loopWindowsGoWithTheSession() throws Exception {
        h =
                DetectionHarness.of(
                        """
                  - id: plan-loop
                    guide: plan-chooser
                    kind: loop
                    match: {type: page_view, page: "/plans*"}
                    field: page
                    times: 3
                    within: 60s
                """,
                        SHORT);
        h.feed(plan(T0, "/plans/basic"), plan(T0 + SECOND, "/plans/pro"));
        h.advanceTo(T0 + SECOND);
        assertThat(h.loopWindows(ALICE)).hasSize(1);

        assertForgottenAt(T0 + 5 * MINUTE + 40 * SECOND);
    }

    @Test
    void aLoopWindowLongerThanTheSessionTimeoutKeepsTheSessionLonger() throws Exception {
        h =
                DetectionHarness.of(
                        """
                  - id: plan-loop
                    guide: plan-chooser
                    kind: loop
                    match: {type: page_view, page: "/plans*"}
                    field: page
                    times: 3
                    within: 10m
                """,
                        SHORT);
        h.feed(plan(T0, "/plans/basic"), plan(T0 + SECOND, "/plans/pro"));
        h.advanceTo(T0 + 10 * MINUTE);
        assertThat(h.loopWindows(ALICE)).hasSize(1);

        assertForgottenAt(T0 + 10 * MINUTE + 40 * SECOND);
    }

    @Test
    void sinceFirstSeenCountIsForgottenAfterTheLongerOfRetentionAndWindow() throws Exception {
        h =
                DetectionHarness.of(
                        """
                  - id: friends
                    guide: invite-friends
                    kind: threshold
                    action: {type: friend_added}
                    target: 4
                    window: {sinceFirstSeen: 2h}
                    nudgeFrom: 2
                """,
                        SHORT);
        h.feed(
                h.event(ALICE, "s1", T0, "page_view", "/home", null),
                h.event(ALICE, "s1", T0 + SECOND, "friend_added", "/friends", null));

        // the session goes after 5 min; the user stays
        h.advanceTo(T0 + 5 * MINUTE + 40 * SECOND);
        assertThat(h.sessions(ALICE)).isEmpty();
        assertThat(h.activity(ALICE)).isNotNull();
        assertThat(h.thresholdCounts(ALICE)).containsKey("friends");

        // user retention max(1 h, 2 h): last seen T0 + 1 s, + 2 h, rounded up to T0 + 2 h 40 s
        assertForgottenAt(T0 + 2 * HOUR + 40 * SECOND);
    }

    @Test
    void sessionIdsAreForgottenOnceTheSinceFirstSeenWindowHasClosed() throws Exception {
        h =
                DetectionHarness.of(
                        """
                  - id: friends
                    guide: invite-friends
                    kind: threshold
                    action: {type: friend_added}
                    target: 4
                    window: {sinceFirstSeen: 2h}
                    nudgeFrom: 1
                """,
                        SHORT);
        h.feed(
                h.event(ALICE, "s1", T0, "page_view", "/home", null),
                h.event(ALICE, "s1", T0 + SECOND, "friend_added", "/friends", null),
                h.event(ALICE, "s2", T0 + 30 * MINUTE, "page_view", "/home", null),
                h.event(ALICE, "s3", T0 + 110 * MINUTE, "page_view", "/home", null));
        h.advanceTo(T0 + 110 * MINUTE + SECOND);
        // SPEC section 3: a nudge on the friend added (count 1) and on each new session, s2 and s3
        assertThat(h.triggerIds())
                .containsExactly(
                        "friends|alice|-|" + (T0 + SECOND),
                        "friends|alice|-|" + (T0 + 30 * MINUTE),
                        "friends|alice|-|" + (T0 + 110 * MINUTE));

        // the window is open while t < T0 + 2 h: the ids are needed until then (swept at T0 + 2 h
        // rounded up to the whole minute: T0 + 2 h 40 s)
        h.advanceTo(T0 + 2 * HOUR + 40 * SECOND - 1);
        assertThat(h.sessionIds(ALICE)).containsOnlyKeys("s1", "s2", "s3");
        h.advanceTo(T0 + 2 * HOUR + 40 * SECOND);
        assertThat(h.sessionIds(ALICE)).isEmpty();
        assertThat(h.activity(ALICE)).as("the user is kept for the retention").isNotNull();

        // a session after the window: no nudge can fire, so its id is not kept either
        h.feed(h.event(ALICE, "s4", T0 + 3 * HOUR, "page_view", "/home", null));
        h.advanceTo(T0 + 3 * HOUR + MINUTE);
        assertThat(h.sessionIds(ALICE)).isEmpty();
        assertThat(h.triggerIds()).hasSize(3);

        // retention max(1 h, 2 h) from last seen T0 + 3 h, rounded up: T0 + 5 h 40 s
        h.advanceTo(T0 + 5 * HOUR + 40 * SECOND - 1);
        assertThat(h.activity(ALICE)).isNotNull();
        h.advanceTo(T0 + 5 * HOUR + 40 * SECOND);
        assertThat(h.activity(ALICE)).isNull();
        assertThat(h.thresholdCounts(ALICE)).isEmpty();
        assertThat(h.sessionIds(ALICE)).isEmpty();
    }

    @Test
    void rollingCountIsForgottenAfterTheUserRetention() throws Exception {
        h =
                DetectionHarness.of(
                        """
                  - id: posting
                    guide: post-more
                    kind: threshold
                    action: {type: post_created}
                    target: 3
                    window: {rolling: 30m}
                    nudgeFrom: 2
                    reachedGuide: posting-streak
                """,
                        SHORT);
        h.feed(
                h.event(ALICE, "s1", T0, "post_created", "/compose", null),
                h.event(ALICE, "s1", T0 + SECOND, "post_created", "/compose", null));
        h.advanceTo(T0 + 59 * MINUTE);
        assertThat(h.thresholdCounts(ALICE)).containsKey("posting");

        // max(1 h, 30 min): T0 + 1 s + 1 h, rounded up to T0 + 1 h 40 s
        h.advanceTo(T0 + HOUR + 40 * SECOND);
        assertThat(h.thresholdCounts(ALICE)).isEmpty();
        assertThat(h.activity(ALICE)).isNull();
        // the nudge delivered at T0 + 1 s is remembered a day: to T0 + 1 d 40 s
        assertForgottenAt(T0 + DAY + 40 * SECOND);
        assertThat(h.triggerIds()).containsExactly("posting|alice|-|" + (T0 + SECOND));
    }

    @Test
    void comebackMemoryIsForgottenAfterTheUserRetention() throws Exception {
        h = DetectionHarness.of(comeback("30m"), SHORT);
        h.feed(
                h.event(ALICE, "s1", T0, "page_view", "/home", null),
                h.event(ALICE, "s1", T0 + SECOND, "page_view", "/home", null));
        h.advanceTo(T0 + 59 * MINUTE);
        assertThat(h.activity(ALICE)).isNotNull();

        assertForgottenAt(T0 + HOUR + 40 * SECOND);
    }

    @Test
    void aComebackGapLongerThanTheUserRetentionKeepsTheUserForTheGap() throws Exception {
        h = DetectionHarness.of(comeback("2h"), SHORT);
        h.feed(
                h.event(ALICE, "s1", T0, "page_view", "/home", null),
                h.event(ALICE, "s2", T0 + 2 * HOUR, "page_view", "/home", null));
        h.advanceTo(T0 + 2 * HOUR);
        // back after exactly the gap, though the configured retention is 1 h
        assertThat(h.triggerIds()).containsExactly("welcome-back|alice|-|" + (T0 + 2 * HOUR));

        // max(1 h, 2 h) after T0 + 2 h, rounded up to T0 + 4 h 40 s
        h.advanceTo(T0 + 4 * HOUR + 40 * SECOND - 1);
        assertThat(h.activity(ALICE)).isNotNull();
        h.advanceTo(T0 + 4 * HOUR + 40 * SECOND);
        assertThat(h.activity(ALICE)).isNull();
        // the comeback delivered at T0 + 2 h is remembered a day: to T0 + 1 d 2 h 40 s
        assertForgottenAt(T0 + DAY + 2 * HOUR + 40 * SECOND);
    }

    @Test
    void allKindsTogetherLeaveNothingBehind() throws Exception {
        h =
                DetectionHarness.of(
                        RAGE_CLICK_1S
                                + comeback("30m")
                                + """
                  - id: friends
                    guide: invite-friends
                    kind: threshold
                    action: {type: friend_added}
                    target: 4
                    window: {sinceFirstSeen: 20m}
                    nudgeFrom: 2
                  - id: plan-loop
                    guide: plan-chooser
                    kind: loop
                    match: {type: page_view, page: "/plans*"}
                    field: page
                    times: 3
                    within: 60s
                  - id: checkout-stall
                    guide: checkout-help
                    kind: stall
                    start: {type: page_view, page: /checkout}
                    progress: [{type: click, target: "#pay"}]
                    within: 8s
                """,
                        SHORT);
        h.feed(
                plan(T0, "/plans/basic"),
                plan(T0 + SECOND, "/plans/pro"),
                click(T0 + 2 * SECOND),
                h.event(ALICE, "s1", T0 + 3 * SECOND, "friend_added", "/friends", null),
                h.event(ALICE, "s2", T0 + 4 * SECOND, "page_view", "/checkout", null));

        // last event T0 + 4 s; user retention max(1 h, 30 min, 20 min) = 1 h: rounded up to T0 + 1
        // h 40 s
        h.advanceTo(T0 + HOUR + 40 * SECOND - 1);
        assertThat(h.activity(ALICE)).isNotNull();
        h.advanceTo(T0 + HOUR + 40 * SECOND);
        assertThat(h.activity(ALICE)).isNull();
        assertThat(h.sessions(ALICE)).isEmpty();
        // the stall delivered at T0 + 12 s is remembered a day: to T0 + 1 d 40 s
        assertForgottenAt(T0 + DAY + 40 * SECOND);
        assertThat(h.triggerIds()).containsExactly("checkout-stall|alice|s2|" + (T0 + 12_000));
    }

    /**
     * An event that arrives ahead of the watermark, just before a sweep runs, is not evaluated yet
     * when the sweep plans the next one: its session must still be forgotten after the session
     * timeout, not only when its id leaves the (longer) dedup memory.
     */
    @Test
    void aSessionOpenedRightAfterASweepIsStillForgottenOnTime() throws Exception {
        h =
                DetectionHarness.of(
                        RAGE_CLICK_1S, new DetectionSettings(HOUR, 30 * MINUTE, 90 * 24 * HOUR));
        h.feed(click(T0));
        // the id of the click at T0 is swept at T0 + 1 h, rounded up to T0 + 1 h 40 s
        h.advanceTo(T0 + HOUR + 40 * SECOND - 1);

        // a click 1 s ahead of the watermark's sweep instant, in a new session
        Event early = h.event(ALICE, "s2", T0 + HOUR + 41 * SECOND, "click", "/checkout", "#pay");
        h.feed(early);
        h.advanceTo(T0 + HOUR + 41 * SECOND);
        assertThat(h.sessions(ALICE)).containsOnlyKeys("s2");

        // s2 is idle from T0 + 1 h 41 s: forgotten at + 30 min, rounded up to T0 + 1 h 31 min 40 s
        h.advanceTo(T0 + HOUR + 31 * MINUTE + 40 * SECOND - 1);
        assertThat(h.burstGroups(ALICE)).hasSize(1);
        h.advanceTo(T0 + HOUR + 31 * MINUTE + 40 * SECOND);
        assertThat(h.sessions(ALICE)).isEmpty();
        assertThat(h.burstGroups(ALICE)).isEmpty();

        // the id itself: T0 + 2 h 41 s, rounded up to T0 + 2 h 1 min 40 s
        assertForgottenAt(T0 + 2 * HOUR + MINUTE + 40 * SECOND);
    }

    // ---- helpers ----

    private static final String RAGE_CLICK_1S =
            """
              - id: rage-click
                guide: help-widget
                kind: burst
                match: {type: click}
                sameField: target
                count: 3
                within: 1s
            """;

    private static String comeback(String gap) {
        return "  - id: welcome-back\n    guide: whats-new\n    kind: comeback\n    gap: "
                + gap
                + "\n";
    }

    /**
     * Something is kept until just before {@code instant}, with only the sweep timer left; nothing
     * from then on.
     */
    private void assertForgottenAt(long instant) throws Exception {
        h.advanceTo(instant - 1);
        assertThat(h.stateEntries()).as("state just before the sweep").isPositive();
        assertThat(h.timers()).as("only the sweep timer is left").isEqualTo(1);

        h.advanceTo(instant);
        assertThat(h.stateEntries()).as("state after the sweep").isZero();
        assertThat(h.timers()).as("timers after the sweep").isZero();
    }

    private Event click(long ts) {
        return h.event(ALICE, "s1", ts, "click", "/checkout", "#pay");
    }

    private Event formError(long ts) {
        return h.event(ALICE, "s1", ts, "form_error", "/signup", null);
    }

    private Event plan(long ts, String page) {
        return h.event(ALICE, "s1", ts, "page_view", page, null);
    }
}
