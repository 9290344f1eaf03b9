package io.guidance.detect;

import static io.guidance.detect.DetectionHarness.ALICE;
import static io.guidance.detect.DetectionHarness.BOB;
import static io.guidance.detect.DetectionHarness.DAY;
import static io.guidance.detect.DetectionHarness.SECOND;
import static io.guidance.detect.DetectionHarness.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.Event;
import io.guidance.trigger.Trigger;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC section 3, {@code burst}: "matching events are grouped by the value of {@code sameField}
 * (all together when the rule has none; an event without that field is ignored). Each new event
 * drops from its group the events with ts &lt; t - within; when the group then holds count events,
 * a trigger fires at t and the group is emptied."
 */
class BurstDetectionTest {
    /** Rage clicks: three clicks on one target within 1 s. */
    private static final String RAGE_CLICK =
            """
              - id: rage-click
                guide: help-widget
                kind: burst
                match: {type: click}
                sameField: target
                count: 3
                within: 1s
                priority: 10
            """;

    /** Repeated form errors, whatever the field: no sameField, so one group. */
    private static final String ERROR_BURST =
            """
              - id: error-burst
                guide: form-help
                kind: burst
                match: {type: form_error}
                count: 3
                within: 10s
            """;

    private DetectionHarness h;

    @BeforeEach
    void open() throws Exception {
        h = DetectionHarness.of(RAGE_CLICK + ERROR_BURST);
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    @Test
    void firesAtTheThirdClickOnOneTargetWithinTheWindow() throws Exception {
        h.feed(
                click(ALICE, "s1", T0, "#pay"),
                click(ALICE, "s1", T0 + 300, "#pay"),
                click(ALICE, "s1", T0 + 600, "#pay"));
        h.advanceTo(T0 + DAY);

        assertThat(h.triggers()).hasSize(1);
        Trigger t = h.triggers().get(0);
        assertThat(t.triggerId).isEqualTo("rage-click|alice|s1|1700000000600");
        assertThat(t.ruleId).isEqualTo("rage-click");
        assertThat(t.guide).isEqualTo("help-widget");
        assertThat(t.kind).isEqualTo("burst");
        assertThat(t.userId).isEqualTo(ALICE);
        assertThat(t.sessionId).isEqualTo("s1");
        assertThat(t.ts).isEqualTo(1_700_000_000_600L);
        assertThat(t.expiresAt).isEqualTo(1_700_000_000_600L + 600_000);
        assertThat(t.priority).isEqualTo(10);
        assertThat(t.status).isEqualTo("delivered");
        // JSON text: numbers as digits, strings quoted
        assertThat(t.reason)
                .containsEntry("count", "3")
                .containsEntry("within", "1000")
                .containsEntry("firstAt", "1700000000000")
                .containsEntry("field", "\"target\"")
                .containsEntry("value", "\"#pay\"");
    }

    @Test
    void nothingFiresBeforeTheGroupHoldsCountEvents() throws Exception {
        h.feed(click(ALICE, "s1", T0, "#pay"), click(ALICE, "s1", T0 + 300, "#pay"));
        h.advanceTo(T0 + DAY);

        assertThat(h.triggers()).isEmpty();
    }

    @Test
    void clicksOnDifferentTargetsDoNotAddUp() throws Exception {
        // five clicks within 400 ms, but at most two on any one target
        h.feed(
                click(ALICE, "s1", T0, "#pay"),
                click(ALICE, "s1", T0 + 100, "#cancel"),
                click(ALICE, "s1", T0 + 200, "#pay"),
                click(ALICE, "s1", T0 + 300, "#cancel"),
                click(ALICE, "s1", T0 + 400, "#help"));
        h.advanceTo(T0 + 450);
        assertThat(h.triggers()).isEmpty();

        // a third #pay within 1 s of the first completes that group only
        h.feed(click(ALICE, "s1", T0 + 500, "#pay"));
        h.advanceTo(T0 + DAY);

        assertThat(h.triggerIds()).containsExactly("rage-click|alice|s1|" + (T0 + 500));
        assertThat(h.triggers().get(0).reason)
                .containsEntry("value", "\"#pay\"")
                .containsEntry("firstAt", Long.toString(T0));
    }

    @Test
    void clicksWithoutTheSameFieldAreIgnored() throws Exception {
        h.feed(
                click(ALICE, "s1", T0, null),
                click(ALICE, "s1", T0 + 100, null),
                click(ALICE, "s1", T0 + 200, null),
                click(ALICE, "s1", T0 + 300, "#pay"),
                click(ALICE, "s1", T0 + 400, null),
                click(ALICE, "s1", T0 + 500, "#pay"));
        h.advanceTo(T0 + 550);
        // three target-less clicks form no group, and do not complete the #pay group either
        assertThat(h.triggers()).isEmpty();

        h.feed(click(ALICE, "s1", T0 + 600, "#pay"));
        h.advanceTo(T0 + DAY);
        assertThat(h.triggerIds()).containsExactly("rage-click|alice|s1|" + (T0 + 600));
        assertThat(h.triggers().get(0).reason).containsEntry("firstAt", Long.toString(T0 + 300));
    }

    @Test
    void withoutSameFieldAllMatchingEventsFormOneGroup() throws Exception {
        // different targets, and one error without a target: the rule has no sameField, so they all
        // count
        h.feed(
                formError(ALICE, "s1", T0, "#email"),
                formError(ALICE, "s1", T0 + 4 * SECOND, "#zip"),
                formError(ALICE, "s1", T0 + 8 * SECOND, null));
        h.advanceTo(T0 + DAY);

        assertThat(h.triggerIds()).containsExactly("error-burst|alice|s1|" + (T0 + 8_000));
        Trigger t = h.triggers().get(0);
        assertThat(t.reason)
                .containsEntry("count", "3")
                .containsEntry("within", "10000")
                .containsEntry("firstAt", Long.toString(T0))
                .doesNotContainKeys("field", "value");
    }

    @Test
    void anEventExactlyWithinEarlierStillCounts() throws Exception {
        // at T0 + 1 s the group drops ts < T0 + 1 s - 1 s = T0: the click at T0 stays
        h.feed(
                click(ALICE, "s1", T0, "#pay"),
                click(ALICE, "s1", T0 + 500, "#pay"),
                click(ALICE, "s1", T0 + 1_000, "#pay"));
        h.advanceTo(T0 + DAY);

        assertThat(h.triggerIds()).containsExactly("rage-click|alice|s1|" + (T0 + 1_000));
        assertThat(h.triggers().get(0).reason).containsEntry("firstAt", Long.toString(T0));
    }

    @Test
    void anEventMoreThanWithinEarlierIsDropped() throws Exception {
        // at T0 + 1001 the group drops ts < T0 + 1: the click at T0 goes, two remain
        h.feed(
                click(ALICE, "s1", T0, "#pay"),
                click(ALICE, "s1", T0 + 500, "#pay"),
                click(ALICE, "s1", T0 + 1_001, "#pay"));
        h.advanceTo(T0 + 1_200);
        assertThat(h.triggers()).isEmpty();

        // at T0 + 1400 the group drops ts < T0 + 400: nothing more goes, so T0 + 500, T0 + 1001 and
        // this one fire
        h.feed(click(ALICE, "s1", T0 + 1_400, "#pay"));
        h.advanceTo(T0 + DAY);
        assertThat(h.triggerIds()).containsExactly("rage-click|alice|s1|" + (T0 + 1_400));
        assertThat(h.triggers().get(0).reason).containsEntry("firstAt", Long.toString(T0 + 500));
    }

    @Test
    void theGroupIsEmptiedWhenItFires() throws Exception {
        // six clicks 100 ms apart, all within 1 s of each other: the 3rd fires; the 4th and 5th
        // start afresh and
        // only the 6th fires again
        for (int i = 0; i < 6; i++) {
            h.feed(click(ALICE, "s1", T0 + i * 100L, "#pay"));
        }
        h.advanceTo(T0 + DAY);

        assertThat(h.triggerIds())
                .containsExactly(
                        "rage-click|alice|s1|" + (T0 + 200), "rage-click|alice|s1|" + (T0 + 500));
        assertThat(h.triggers().get(1).reason)
                .containsEntry("firstAt", Long.toString(T0 + 300))
                .containsEntry("count", "3");
    }

    @Test
    void sessionsAndUsersHaveTheirOwnGroups() throws Exception {
        h.feed(
                click(ALICE, "s1", T0, "#pay"),
                click(ALICE, "s2", T0 + 100, "#pay"),
                click(BOB, "s1", T0 + 200, "#pay"),
                click(ALICE, "s1", T0 + 300, "#pay"),
                click(BOB, "s1", T0 + 400, "#pay"));
        h.advanceTo(T0 + DAY);

        assertThat(h.triggers()).isEmpty();
    }

    @Test
    void otherEventTypesDoNotJoinTheGroup() throws Exception {
        h.feed(
                click(ALICE, "s1", T0, "#pay"),
                h.event(ALICE, "s1", T0 + 100, "hover", "/checkout", "#pay"),
                click(ALICE, "s1", T0 + 200, "#pay"));
        h.advanceTo(T0 + DAY);

        assertThat(h.triggers()).isEmpty();
    }

    @Test
    void aDisabledRuleFiresNothingButKeepsItsGroups() throws Exception {
        h.close();
        h =
                DetectionHarness.of(
                        RAGE_CLICK.replace(
                                "    priority: 10\n", "    priority: 10\n    enabled: false\n"));

        h.feed(click(ALICE, "s1", T0, "#pay"), click(ALICE, "s1", T0 + 300, "#pay"));
        h.advanceTo(T0 + 400);
        assertThat(h.burstGroups(ALICE))
                .as("the #pay group of session s1 is kept")
                .hasSize(1)
                .containsValue(List.of(T0, T0 + 300));

        h.feed(click(ALICE, "s1", T0 + 600, "#pay"));
        h.advanceTo(T0 + DAY);
        assertThat(h.triggers()).isEmpty();
    }

    private Event click(String user, String session, long ts, String target) {
        return h.event(user, session, ts, "click", "/checkout", target);
    }

    private Event formError(String user, String session, long ts, String target) {
        return h.event(user, session, ts, "form_error", "/signup", target);
    }
}
