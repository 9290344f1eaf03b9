package io.guidance.discover;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TallyTest {
    // counts 1,2 and days 1,3: four cells per action
    private static final DiscoveryQuery Q = DiscoveryQuery.of("3d-5d", "1,2", "1,3", null, null);

    private static UserSummary user(boolean inCohort, boolean retained, long last, Object... ar) {
        UserSummary s = new UserSummary();
        s.inCohort = inCohort;
        s.retained = retained;
        s.lastSeen = last;
        s.actions = new String[ar.length / 3];
        s.reached = new int[ar.length / 3 * 2];
        for (int i = 0; i < ar.length / 3; i++) {
            s.actions[i] = (String) ar[3 * i];
            s.reached[2 * i] = (Integer) ar[3 * i + 1];
            s.reached[2 * i + 1] = (Integer) ar[3 * i + 2];
        }
        return s;
    }

    private static final List<UserSummary> USERS =
            List.of(
                    user(true, true, 10, "buy", 1, 2, "view", 2, 2),
                    user(true, false, 30, "view", 0, 1),
                    user(true, true, 20), // no actions at all
                    user(
                            false, true, 50, "rare", 1,
                            1), // not in the cohort: its action still exists
                    user(true, false, 40, "buy", 0, 2));

    @Test
    void cellsFromHandCountedUsers() {
        Tally t = new Tally();
        USERS.forEach(u -> t.add(u, Q));
        assertThat(t.users).isEqualTo(5);
        assertThat(t.cohort).isEqualTo(4);
        assertThat(t.retained).isEqualTo(2);
        assertThat(t.end).isEqualTo(50);
        List<Cell> cells = t.cells(Q);
        // actions sorted: buy, rare, view; per action N=1 D=1, N=1 D=3, N=2 D=1, N=2 D=3
        assertThat(cells)
                .extracting(c -> c.action() + " " + c.count() + " " + c.days())
                .containsExactly(
                        "buy 1 1",
                        "buy 1 3",
                        "buy 2 1",
                        "buy 2 3",
                        "rare 1 1",
                        "rare 1 3",
                        "rare 2 1",
                        "rare 2 3",
                        "view 1 1",
                        "view 1 3",
                        "view 2 1",
                        "view 2 3");
        // buy: user 1 (retained) reaches 1 by day 1 and 2 by day 3; user 5 (not) 2 by day 3
        assertThat(cells.get(0)).isEqualTo(Cell.of("buy", 1, 1, 1, 0, 1, 2));
        assertThat(cells.get(1)).isEqualTo(Cell.of("buy", 1, 3, 1, 1, 1, 1));
        assertThat(cells.get(2)).isEqualTo(Cell.of("buy", 2, 1, 0, 0, 2, 2));
        assertThat(cells.get(3)).isEqualTo(Cell.of("buy", 2, 3, 1, 1, 1, 1));
        assertThat(cells.get(4)).isEqualTo(Cell.of("rare", 1, 1, 0, 0, 2, 2));
        // view: user 1 reaches 2 by day 1; user 2 (not retained) 1 by day 3
        assertThat(cells.get(8)).isEqualTo(Cell.of("view", 1, 1, 1, 0, 1, 2));
        assertThat(cells.get(9)).isEqualTo(Cell.of("view", 1, 3, 1, 1, 1, 1));
        assertThat(cells.get(10)).isEqualTo(Cell.of("view", 2, 1, 1, 0, 1, 2));
        assertThat(cells.get(11)).isEqualTo(Cell.of("view", 2, 3, 1, 0, 1, 2));
    }

    @Test
    void partialTalliesAddUpToTheWhole() {
        Tally whole = new Tally();
        USERS.forEach(u -> whole.add(u, Q));
        Tally first = new Tally();
        Tally second = new Tally();
        // different action orders in the two parts
        second.add(USERS.get(1), Q);
        second.add(USERS.get(4), Q);
        first.add(USERS.get(0), Q);
        first.add(USERS.get(2), Q);
        first.add(USERS.get(3), Q);
        Tally merged = new Tally().merge(second).merge(first);
        assertThat(merged.cells(Q)).isEqualTo(whole.cells(Q));
        assertThat(merged.users).isEqualTo(5);
        assertThat(merged.end).isEqualTo(50);
    }
}
