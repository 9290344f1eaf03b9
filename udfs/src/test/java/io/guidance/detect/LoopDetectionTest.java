package io.guidance.detect;

import static io.guidance.detect.DetectionHarness.ALICE;
import static io.guidance.detect.DetectionHarness.DAY;
import static io.guidance.detect.DetectionHarness.SECOND;
import static io.guidance.detect.DetectionHarness.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.Event;
import io.guidance.trigger.Trigger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC section 3, {@code loop}: "a matching event whose field value equals that of the key's
 * previous matching event is a refresh and is ignored (a refresh is not a loop; the previous one
 * counts even when it left the window or the window was emptied). Other matching events enter the
 * window, which keeps those with ts in [t - within, t]. When the current value then occurs times
 * times in the window, a trigger fires at t and the window is emptied. Events without field are
 * ignored."
 */
class LoopDetectionTest {
    private static final String PLAN_LOOP =
            """
              - id: plan-loop
                guide: plan-chooser
                kind: loop
                match: {type: page_view, page: "/plans*"}
                field: page
                times: 3
                within: 60s
            """;

    /**
     * Its matcher does not ask for the loop's field, so target-less clicks match and must be
     * ignored.
     */
    private static final String TAB_LOOP =
            """
              - id: tab-loop
                guide: settings-tour
                kind: loop
                match: {type: click, page: /settings}
                field: target
                times: 2
                within: 10s
            """;

    private static final String BASIC = "/plans/basic";
    private static final String PRO = "/plans/pro";

    private DetectionHarness h;

    @BeforeEach
    void open() throws Exception {
        h = DetectionHarness.of(PLAN_LOOP + TAB_LOOP);
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    @Test
    void firesWhenAPageComesBackForTheThirdTime() throws Exception {
        h.feed(
                plan(T0, BASIC),
                plan(T0 + 5 * SECOND, PRO),
                plan(T0 + 10 * SECOND, BASIC),
                plan(T0 + 15 * SECOND, PRO),
                plan(T0 + 20 * SECOND, BASIC));
        h.advanceTo(T0 + DAY);

        assertThat(h.triggers()).hasSize(1);
        Trigger t = h.triggers().get(0);
        assertThat(t.triggerId).isEqualTo("plan-loop|alice|s1|1700000020000");
        assertThat(t.guide).isEqualTo("plan-chooser");
        assertThat(t.kind).isEqualTo("loop");
        assertThat(t.sessionId).isEqualTo("s1");
        assertThat(t.ts).isEqualTo(T0 + 20_000);
        assertThat(t.reason)
                .containsEntry("times", "3")
                .containsEntry("within", "60000")
                .containsEntry("field", "\"page\"")
                .containsEntry("value", "\"/plans/basic\"")
                .containsEntry("distinctValues", "2");
    }

    @Test
    void refreshesAreIgnored() throws Exception {
        // A, A, B, A, B, A: the second A is a refresh. Counting it, A would reach 3 at T0 + 3 s;
        // without it the
        // window at T0 + 5 s holds A, B, A, B, A: A three times
        h.feed(
                plan(T0, BASIC),
                plan(T0 + SECOND, BASIC),
                plan(T0 + 2 * SECOND, PRO),
                plan(T0 + 3 * SECOND, BASIC),
                plan(T0 + 4 * SECOND, PRO),
                plan(T0 + 5 * SECOND, BASIC));
        h.advanceTo(T0 + DAY);

        assertThat(h.triggerIds()).containsExactly("plan-loop|alice|s1|" + (T0 + 5_000));
    }

    @Test
    void reloadingOnePageNeverLoops() throws Exception {
        for (int i = 0; i < 10; i++) {
            h.feed(plan(T0 + i * SECOND, BASIC));
        }
        h.advanceTo(T0 + DAY);

        assertThat(h.triggers()).isEmpty();
    }

    @Test
    void thePreviousCountsAfterTheWindowWasEmptied() throws Exception {
        // A B A B A fires at the 5th event and empties the window; its previous value A stays
        h.feed(
                plan(T0, BASIC),
                plan(T0 + SECOND, PRO),
                plan(T0 + 2 * SECOND, BASIC),
                plan(T0 + 3 * SECOND, PRO),
                plan(T0 + 4 * SECOND, BASIC));
        // then A (a refresh of the previous, though the window is empty), B, A, B, A: the window
        // ends as B A B A, A
        // twice. Had the refresh entered, A would reach 3 at T0 + 9 s
        h.feed(
                plan(T0 + 5 * SECOND, BASIC),
                plan(T0 + 6 * SECOND, PRO),
                plan(T0 + 7 * SECOND, BASIC),
                plan(T0 + 8 * SECOND, PRO),
                plan(T0 + 9 * SECOND, BASIC));
        h.advanceTo(T0 + DAY);

        assertThat(h.triggerIds()).containsExactly("plan-loop|alice|s1|" + (T0 + 4_000));
    }

    @Test
    void thePreviousCountsAfterItLeftTheWindow() throws Exception {
        // A at T0; A again at T0 + 70 s, when the first A is out of the 60 s window: still a
        // refresh
        h.feed(plan(T0, BASIC), plan(T0 + 70 * SECOND, BASIC));
        // window at T0 + 90 s: [T0 + 30 s, T0 + 90 s] holds B A B A; with the refresh it would hold
        // A three times
        h.feed(
                plan(T0 + 75 * SECOND, PRO),
                plan(T0 + 80 * SECOND, BASIC),
                plan(T0 + 85 * SECOND, PRO),
                plan(T0 + 90 * SECOND, BASIC));
        h.advanceTo(T0 + DAY);

        assertThat(h.triggers()).isEmpty();
    }

    @Test
    void anEventExactlyWithinEarlierIsStillInTheWindow() throws Exception {
        // at T0 + 60 s the window is [T0, T0 + 60 s]: the A at T0 is in it
        h.feed(
                plan(T0, BASIC),
                plan(T0 + 10 * SECOND, PRO),
                plan(T0 + 30 * SECOND, BASIC),
                plan(T0 + 40 * SECOND, PRO),
                plan(T0 + 60 * SECOND, BASIC));
        h.advanceTo(T0 + DAY);

        assertThat(h.triggerIds()).containsExactly("plan-loop|alice|s1|" + (T0 + 60_000));
    }

    @Test
    void anEventMoreThanWithinEarlierLeftTheWindow() throws Exception {
        // at T0 + 60.001 s the window is [T0 + 1 ms, ...]: the A at T0 has left, A occurs twice
        h.feed(
                plan(T0, BASIC),
                plan(T0 + 10 * SECOND, PRO),
                plan(T0 + 30 * SECOND, BASIC),
                plan(T0 + 40 * SECOND, PRO),
                plan(T0 + 60 * SECOND + 1, BASIC));
        h.advanceTo(T0 + DAY);

        assertThat(h.triggers()).isEmpty();
    }

    @Test
    void eventsWithoutTheFieldAreIgnored() throws Exception {
        // #a, a click without target, #a: the target-less click is ignored, also as "previous", so
        // the second #a is
        // a refresh of the first. Had the click without target counted as a value, #a would loop at
        // T0 + 2 s
        h.feed(
                settingsClick(T0, "#a"),
                settingsClick(T0 + SECOND, null),
                settingsClick(T0 + 2 * SECOND, "#a"));
        h.advanceTo(T0 + 3 * SECOND - 1);
        assertThat(h.triggers()).isEmpty();

        // #b, #a: the window holds #a, #b, #a
        h.feed(settingsClick(T0 + 3 * SECOND, "#b"), settingsClick(T0 + 4 * SECOND, "#a"));
        h.advanceTo(T0 + DAY);
        assertThat(h.triggerIds()).containsExactly("tab-loop|alice|s1|" + (T0 + 4_000));
        assertThat(h.triggers().get(0).reason)
                .containsEntry("value", "\"#a\"")
                .containsEntry("times", "2");
    }

    @Test
    void theWindowIsEmptiedWhenItFires() throws Exception {
        // #a #b #a fires; then #b: with #b still in the window it would fire again
        h.feed(
                settingsClick(T0, "#a"),
                settingsClick(T0 + SECOND, "#b"),
                settingsClick(T0 + 2 * SECOND, "#a"),
                settingsClick(T0 + 3 * SECOND, "#b"));
        h.advanceTo(T0 + 4 * SECOND);
        assertThat(h.triggerIds()).containsExactly("tab-loop|alice|s1|" + (T0 + 2_000));

        // #a #b later: the window after the fire holds #b, #a, #b
        h.feed(settingsClick(T0 + 5 * SECOND, "#a"), settingsClick(T0 + 6 * SECOND, "#b"));
        h.advanceTo(T0 + DAY);
        assertThat(h.triggerIds())
                .containsExactly(
                        "tab-loop|alice|s1|" + (T0 + 2_000), "tab-loop|alice|s1|" + (T0 + 6_000));
    }

    @Test
    void eachSessionHasItsOwnWindowAndPrevious() throws Exception {
        h.feed(
                plan(T0, BASIC, "s1"),
                plan(T0 + SECOND, PRO, "s1"),
                plan(T0 + 2 * SECOND, BASIC, "s2"),
                plan(T0 + 3 * SECOND, BASIC, "s1"),
                plan(T0 + 4 * SECOND, PRO, "s2"),
                plan(T0 + 5 * SECOND, PRO, "s1"),
                plan(T0 + 6 * SECOND, BASIC, "s2"));
        h.advanceTo(T0 + DAY);
        // s1: A B A B (A twice, B twice); s2: A B A (A twice). Pooled into one window, A would
        // reach 3 at T0 + 6 s
        assertThat(h.triggers()).isEmpty();
    }

    @Test
    void aDisabledRuleFiresNothingButKeepsItsWindow() throws Exception {
        h.close();
        h = DetectionHarness.of(PLAN_LOOP + "    enabled: false\n");

        h.feed(plan(T0, BASIC), plan(T0 + SECOND, PRO));
        h.advanceTo(T0 + SECOND);
        assertThat(h.loopWindows(ALICE)).hasSize(1);
        LoopWindow w = h.loopWindows(ALICE).values().iterator().next();
        assertThat(w.previous).isEqualTo(PRO);
        assertThat(w.times).containsExactly(T0, T0 + SECOND);

        h.feed(
                plan(T0 + 2 * SECOND, BASIC),
                plan(T0 + 3 * SECOND, PRO),
                plan(T0 + 4 * SECOND, BASIC));
        h.advanceTo(T0 + DAY);
        assertThat(h.triggers()).isEmpty();
    }

    private Event plan(long ts, String page) {
        return plan(ts, page, "s1");
    }

    private Event plan(long ts, String page, String session) {
        return h.event(ALICE, session, ts, "page_view", page, null);
    }

    private Event settingsClick(long ts, String target) {
        return h.event(ALICE, "s1", ts, "click", "/settings", target);
    }
}
