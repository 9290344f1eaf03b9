package io.guidance.detect;

import static io.guidance.detect.DetectionHarness.ALICE;
import static io.guidance.detect.DetectionHarness.BOB;
import static io.guidance.detect.DetectionHarness.DAY;
import static io.guidance.detect.DetectionHarness.HOUR;
import static io.guidance.detect.DetectionHarness.SECOND;
import static io.guidance.detect.DetectionHarness.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.Event;
import io.guidance.trigger.Trigger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC section 3, {@code comeback}: "the first event of a user whose previous event is at least gap
 * earlier fires at its ts." Per user: any event type, any session.
 */
class ComebackDetectionTest {
    private static final String WELCOME_BACK =
            """
              - id: welcome-back
                guide: whats-new
                kind: comeback
                gap: 14d
            """;
    private static final long GAP = 14 * DAY;

    private DetectionHarness h;

    @BeforeEach
    void open() throws Exception {
        h = DetectionHarness.of(WELCOME_BACK);
    }

    @AfterEach
    void close() throws Exception {
        h.close();
    }

    @Test
    void firesWhenThePreviousEventIsExactlyTheGapEarlier() throws Exception {
        h.feed(view(ALICE, "s1", T0), view(ALICE, "s2", T0 + GAP));
        h.advanceTo(T0 + 100 * DAY);

        assertThat(h.triggers()).hasSize(1);
        Trigger t = h.triggers().get(0);
        assertThat(t.triggerId).isEqualTo("welcome-back|alice|-|" + (T0 + GAP));
        assertThat(t.guide).isEqualTo("whats-new");
        assertThat(t.kind).isEqualTo("comeback");
        assertThat(t.sessionId).as("a per-user kind").isNull();
        assertThat(t.ts).isEqualTo(T0 + GAP);
        assertThat(t.reason)
                .containsEntry("gap", "1209600000")
                .containsEntry("away", "1209600000")
                .containsEntry("previousEventAt", Long.toString(T0));
    }

    @Test
    void doesNotFireOneMillisecondShortOfTheGap() throws Exception {
        h.feed(view(ALICE, "s1", T0), view(ALICE, "s2", T0 + GAP - 1));
        h.advanceTo(T0 + 100 * DAY);

        assertThat(h.triggers()).isEmpty();
    }

    @Test
    void doesNotFireOnAUsersVeryFirstEvent() throws Exception {
        h.feed(view(ALICE, "s1", T0 + 30 * DAY));
        h.advanceTo(T0 + 100 * DAY);

        assertThat(h.triggers()).isEmpty();
    }

    @Test
    void onlyTheFirstEventOfTheReturnFires() throws Exception {
        h.feed(
                view(ALICE, "s1", T0),
                view(ALICE, "s2", T0 + GAP + HOUR),
                view(
                        ALICE,
                        "s2",
                        T0 + GAP + HOUR), // the same instant: its previous event is 0 ms earlier
                h.event(ALICE, "s2", T0 + GAP + HOUR + SECOND, "click", "/home", "#news"));
        h.advanceTo(T0 + 100 * DAY);

        assertThat(h.triggerIds()).containsExactly("welcome-back|alice|-|" + (T0 + GAP + HOUR));
        assertThat(h.triggers().get(0).reason).containsEntry("away", Long.toString(GAP + HOUR));
    }

    @Test
    void firesAgainOnALaterReturn() throws Exception {
        h.feed(
                view(ALICE, "s1", T0),
                view(ALICE, "s2", T0 + GAP), // back: fires
                view(ALICE, "s2", T0 + GAP + HOUR),
                view(ALICE, "s3", T0 + 2 * GAP + HOUR)); // away exactly the gap again: fires
        h.advanceTo(T0 + 100 * DAY);

        assertThat(h.triggerIds())
                .containsExactly(
                        "welcome-back|alice|-|" + (T0 + GAP),
                        "welcome-back|alice|-|" + (T0 + 2 * GAP + HOUR));
        assertThat(h.triggers().get(1).reason)
                .containsEntry("previousEventAt", Long.toString(T0 + GAP + HOUR));
    }

    @Test
    void theGapIsMeasuredFromThePreviousEventOfAnyTypeOrSession() throws Exception {
        // T0 to T0 + 20 d is more than the gap, but a click in another session at T0 + 10 d splits
        // it in two
        h.feed(
                view(ALICE, "s1", T0),
                h.event(ALICE, "s7", T0 + 10 * DAY, "click", "/home", "#menu"),
                view(ALICE, "s2", T0 + 20 * DAY));
        h.advanceTo(T0 + 100 * DAY);

        assertThat(h.triggers()).isEmpty();
    }

    @Test
    void usersAreApartFromEachOther() throws Exception {
        h.feed(
                view(ALICE, "s1", T0),
                view(BOB, "s1", T0 + 7 * DAY),
                view(ALICE, "s1", T0 + GAP),
                view(BOB, "s1", T0 + GAP + DAY));
        h.advanceTo(T0 + 100 * DAY);

        // alice is back after 14 d; bob after 8 d
        assertThat(h.triggerIds()).containsExactly("welcome-back|alice|-|" + (T0 + GAP));
    }

    @Test
    void aDisabledRuleFiresNothingButRemembersTheUser() throws Exception {
        h.close();
        h = DetectionHarness.of(WELCOME_BACK + "    enabled: false\n");

        h.feed(view(ALICE, "s1", T0), view(ALICE, "s2", T0 + GAP));
        h.advanceTo(T0 + GAP);

        assertThat(h.triggers()).isEmpty();
        UserActivity seen = h.activity(ALICE);
        assertThat(seen).isNotNull();
        assertThat(seen.firstSeen).isEqualTo(T0);
        assertThat(seen.lastSeen).isEqualTo(T0 + GAP);
    }

    private Event view(String user, String session, long ts) {
        return h.event(user, session, ts, "page_view", "/home", null);
    }
}
