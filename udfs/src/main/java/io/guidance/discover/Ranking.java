package io.guidance.discover;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The order of SPEC section 8: phi descending; ties by the smaller D (the earlier signal), then the
 * smaller N (the easier target), then the action name.
 */
public final class Ranking {
    public static final Comparator<Cell> ORDER =
            Comparator.comparingDouble(Cell::phi)
                    .reversed()
                    .thenComparingInt(Cell::days)
                    .thenComparingInt(Cell::count)
                    .thenComparing(Cell::action);

    private Ranking() {}

    /** A new list of {@code cells}, best first. */
    public static List<Cell> rank(Collection<Cell> cells) {
        List<Cell> ranked = new ArrayList<>(cells);
        ranked.sort(ORDER);
        return ranked;
    }

    /**
     * The best cell that is not flagged: the threshold worth a rule. Empty when every cell is
     * flagged (too few or too many users above every threshold).
     */
    public static Optional<Cell> bestUnflagged(Collection<Cell> cells) {
        return cells.stream().filter(c -> !c.flagged()).min(ORDER);
    }
}
