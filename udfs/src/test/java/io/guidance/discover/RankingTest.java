package io.guidance.discover;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RankingTest {

    // phi 0.4 (symmetric 7/3), shareAbove 50%
    private static Cell strong(String action, int n, int d) {
        return Cell.of(action, n, d, 7, 3, 3, 7);
    }

    @Test
    void phiDescendingThenSmallerDaysThenSmallerCountThenActionName() {
        Cell weak = Cell.of("a", 1, 1, 6, 4, 4, 6); // phi 0.2
        Cell negative = Cell.of("a", 1, 1, 4, 6, 6, 4); // phi -0.2
        Cell d7n2b = strong("b", 2, 7);
        Cell d7n2a = strong("a", 2, 7);
        Cell d7n1 = strong("z", 1, 7);
        Cell d3n9 = strong("z", 9, 3);
        List<Cell> ranked = Ranking.rank(List.of(negative, weak, d7n2b, d7n2a, d7n1, d3n9));
        assertThat(ranked).containsExactly(d3n9, d7n1, d7n2a, d7n2b, weak, negative);
    }

    @Test
    void bestUnflaggedSkipsCellsWithTooFewOrTooManyUsersAbove() {
        Cell rare = Cell.of("rare", 1, 1, 4, 0, 46, 50); // 4% above, phi high
        Cell common = Cell.of("common", 1, 1, 50, 46, 0, 4); // 96% above
        Cell good = Cell.of("good", 2, 3, 60, 40, 40, 60); // phi 0.2
        assertThat(rare.phi()).isGreaterThan(good.phi());
        // equal phi, D and N: by action name
        assertThat(Ranking.rank(List.of(good, rare, common))).containsExactly(common, rare, good);
        assertThat(Ranking.bestUnflagged(List.of(rare, common, good))).contains(good);
        assertThat(Ranking.bestUnflagged(List.of(rare, common))).isEmpty();
    }
}
