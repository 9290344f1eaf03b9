package io.guidance.discover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DiscoveryQueryTest {

    @Test
    void listsAsRangesAndValues() {
        assertThat(DiscoveryQuery.parseList("1-10", "--counts"))
                .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(DiscoveryQuery.parseList("1,7,14,30", "--days")).containsExactly(1, 7, 14, 30);
        assertThat(DiscoveryQuery.parseList("7, 1-3,2", "--days")).containsExactly(1, 2, 3, 7);
    }

    @Test
    void malformedListsNameTheOption() {
        for (String bad : new String[] {"", "0-3", "3-1", "a", "1,,2", "1-", "-2", "1.5"}) {
            assertThatThrownBy(() -> DiscoveryQuery.parseList(bad, "--counts"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("--counts must list whole numbers");
        }
        assertThatThrownBy(() -> DiscoveryQuery.parseList("1-5000", "--counts"))
                .hasMessageContaining("more than 1000");
    }

    @Test
    void defaultsOfTheSpec() {
        DiscoveryQuery q = DiscoveryQuery.of(null, null, null, null, null);
        assertThat(q.retentionFromMs).isEqualTo(7 * DiscoveryQuery.DAY_MS);
        assertThat(q.retentionToMs).isEqualTo(14 * DiscoveryQuery.DAY_MS);
        assertThat(q.counts()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(q.days()).containsExactly(1, 2, 3, 4, 5, 6, 7);
        assertThat(q.actions()).isNull();
        assertThat(q.counts("guide_shown")).isFalse();
        assertThat(q.counts("friend_added")).isTrue();
        assertThat(q.retains("anything")).isTrue();
        assertThat(q.retention()).isEqualTo("7d-14d");
        // days default to 1 up to FROM, whole days only
        assertThat(DiscoveryQuery.of("36h-4d", null, null, null, null).days()).containsExactly(1);
    }

    @Test
    void aDayLongerThanTheStartOfRetentionIsRefused() {
        assertThatThrownBy(() -> DiscoveryQuery.of("30d-365d", "1-5", "1,7,31", null, null))
                .hasMessageStartingWith("--days 31 is longer than the retention window's start");
        assertThat(DiscoveryQuery.of("30d-365d", "1-5", "1,7,14,30", null, null).days())
                .containsExactly(1, 7, 14, 30);
        assertThatThrownBy(() -> DiscoveryQuery.of("12h-2d", null, null, null, null))
                .hasMessageStartingWith("--retention starts at 12h");
    }

    @Test
    void malformedRetentionAndActions() {
        for (String bad : new String[] {"7d", "7d-", "-7d", "14d-7d", "7x-14d", "7d-7d"}) {
            assertThatThrownBy(() -> DiscoveryQuery.of(bad, null, null, null, null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("--retention");
        }
        assertThatThrownBy(() -> DiscoveryQuery.of(null, null, null, "a,,b", null))
                .hasMessageStartingWith("--actions");
        DiscoveryQuery q = DiscoveryQuery.of(null, null, null, "purchase,guide_shown", "purchase");
        assertThat(q.actions()).containsExactly("purchase", "guide_shown");
        assertThat(q.counts("guide_shown")).isTrue(); // asked for by name
        assertThat(q.counts("page_view")).isFalse();
        assertThat(q.retains("page_view")).isFalse();
        assertThat(q.retains("purchase")).isTrue();
    }
}
