package io.guidance.discover;

import io.guidance.trigger.TriggerJson;
import java.util.Locale;

/**
 * The rule file discovery proposes for its best unflagged cell (A, N, D): a {@code threshold} rule
 * that counts A in the user's first D days with target N, nudges users who are on their way and
 * marks the milestone when they get there. A data team reviews it, renames the guides to their
 * catalogue's, and publishes it; the experiment of SPEC section 7 then measures whether the guide
 * helps.
 */
public final class SuggestedRule {
    private SuggestedRule() {}

    /**
     * The lower end of the nudge band for target N: half-way there, rounded up ({@code ceil(N/2)},
     * 4 for the SPEC's "seven friends" example). Earlier nudges would reach users who have not yet
     * shown interest in the action; later ones leave little room to act before the window closes.
     * For N = 1 the band is count 0: every user in the window who has not done it yet, at each new
     * session.
     */
    public static int nudgeFrom(int target) {
        return target == 1 ? 0 : (target + 1) / 2;
    }

    /** {@code [a-z0-9-]+} from an event type, for rule ids and guide names. */
    static String slug(String action) {
        String s =
                action.toLowerCase(Locale.ROOT)
                        .replaceAll("[^a-z0-9]+", "-")
                        .replaceAll("^-|-$", "");
        return s.isEmpty() ? "action" : s;
    }

    /** The rule id for a cell, e.g. {@code purchase-3-in-7d}. */
    public static String ruleId(Cell cell) {
        return slug(cell.action()) + "-" + cell.count() + "-in-" + cell.days() + "d";
    }

    /**
     * The rules file (SPEC section 3) with one threshold rule for {@code best}, its figures in a
     * comment.
     */
    public static String yaml(Cell best, String retention, String source) {
        String slug = slug(best.action());
        StringBuilder y = new StringBuilder();
        y.append("# Suggested by guidance discover")
                .append(source == null ? "" : " over " + source)
                .append(", retention window ")
                .append(retention)
                .append(".\n");
        y.append(
                String.format(
                        Locale.ROOT,
                        "# Best unflagged cell: %s at least %d times in the first %d days:"
                                + " phi %.3f (%s), %.1f%% of the %d cohort users above.%n",
                        best.action(),
                        best.count(),
                        best.days(),
                        best.phi(),
                        best.band().label,
                        best.shareAbove() * 100,
                        best.users()));
        y.append(
                String.format(
                        Locale.ROOT,
                        "# Retained: %s of the users above the threshold, %s of those below.%n",
                        percent(best.retentionAbove()),
                        percent(best.retentionBelow())));
        y.append(
                "# A correlation, not a cause: publish the guides as an experiment (SPEC section 7)"
                        + " to learn whether nudging users there helps.\n");
        y.append("version: 1\n");
        y.append("rules:\n");
        y.append("  - id: ").append(ruleId(best)).append('\n');
        y.append("    guide: ").append(slug).append("-nudge\n");
        y.append("    kind: threshold\n");
        y.append("    action: {type: ").append(TriggerJson.quote(best.action())).append("}\n");
        y.append("    target: ").append(best.count()).append('\n');
        y.append("    window: {sinceFirstSeen: ").append(best.days()).append("d}\n");
        y.append("    nudgeFrom: ")
                .append(nudgeFrom(best.count()))
                .append("   # half-way to the target\n");
        y.append("    reachedGuide: ").append(slug).append("-milestone\n");
        return y.toString();
    }

    /**
     * The rules file written when no cell is unflagged: valid, empty, and saying why, so a pipeline
     * that validates the output does not break.
     */
    public static String none(String retention, String source) {
        return "# Suggested by guidance discover"
                + (source == null ? "" : " over " + source)
                + ", retention window "
                + retention
                + ".\n"
                + "# No rule: every cell is flagged (fewer than 5% or more than 95% of the cohort"
                + " above its threshold).\n"
                + "version: 1\n"
                + "rules: []\n";
    }

    private static String percent(Double share) {
        return share == null ? "none" : String.format(Locale.ROOT, "%.1f%%", share * 100);
    }
}
