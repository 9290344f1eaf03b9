package io.guidance.discover;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-user step: firstSeen, the thresholds reached per (action, D), retention. */
class UserHistoryTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final long H = 3_600_000L;
    private static final long DAY = 24 * H;

    // retention days 3-4 (window [T0 + 2d, T0 + 4d)), counts 1-3, days 1 and 2
    private static final DiscoveryQuery Q = DiscoveryQuery.of("2d-4d", "1-3", "1,2", null, null);

    private final List<UserEvent> events = new ArrayList<>();
    private int ids;

    private void event(long ts, String type) {
        events.add(new UserEvent("u", "e" + ++ids, ts, type));
    }

    @Test
    void countsPerActionAndDayCappedAtTheLargestCount() {
        event(T0 + DAY + H, "purchase"); // day 2; given out of order on purpose
        event(T0, "page_view"); // firstSeen
        event(T0 + H, "purchase");
        event(T0 + 5 * H, "purchase");
        event(T0 + 2 * H, "guide_shown"); // feedback: never an action
        event(T0 + DAY, "purchase"); // exactly 1 day after firstSeen: day 2, not day 1
        event(T0 + DAY + 2 * H, "purchase");
        event(T0 + 3 * DAY, "page_view"); // in the retention window
        UserSummary s = UserHistory.summarize(events, Q);
        assertThat(s.firstSeen).isEqualTo(T0);
        assertThat(s.lastSeen).isEqualTo(T0 + 3 * DAY);
        assertThat(s.retained).isTrue();
        assertThat(s.actions).containsExactly("page_view", "purchase");
        // page_view: 1 in day 1, 1 in days 1-2; purchase: 2 in day 1, 5 in days 1-2, capped at 3
        assertThat(s.reached).containsExactly(1, 1, 2, 3);
    }

    @Test
    void duplicatesCountOnce() {
        event(T0, "purchase");
        events.add(new UserEvent("u", "e1", T0 + H, "purchase")); // same id as the first
        UserSummary s = UserHistory.summarize(events, Q);
        assertThat(s.reached).containsExactly(1, 1);
        assertThat(s.lastSeen).isEqualTo(T0);
    }

    @Test
    void retentionWindowIsHalfOpen() {
        event(T0, "page_view");
        event(T0 + 4 * DAY, "page_view"); // at firstSeen + TO: outside
        assertThat(UserHistory.summarize(events, Q).retained).isFalse();
        event(T0 + 2 * DAY, "page_view"); // at firstSeen + FROM: inside
        assertThat(UserHistory.summarize(events, Q).retained).isTrue();
    }

    @Test
    void retainedByOneType() {
        DiscoveryQuery byPurchase = DiscoveryQuery.of("2d-4d", "1-3", "1,2", null, "purchase");
        event(T0, "page_view");
        event(T0 + 3 * DAY, "page_view");
        assertThat(UserHistory.summarize(events, byPurchase).retained).isFalse();
        event(T0 + 3 * DAY + H, "purchase");
        assertThat(UserHistory.summarize(events, byPurchase).retained).isTrue();
    }

    @Test
    void onlyTheAskedActionsAreCounted() {
        DiscoveryQuery q = DiscoveryQuery.of("2d-4d", "1-3", "1,2", "purchase", null);
        event(T0, "page_view");
        event(T0 + DAY + H, "purchase"); // day 2 only
        UserSummary s = UserHistory.summarize(events, q);
        assertThat(s.actions).containsExactly("purchase");
        assertThat(s.reached).containsExactly(0, 1);
    }
}
