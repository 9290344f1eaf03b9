package io.guidance.funnel;

/** Names of the guide funnel's keyed state; part of the savepoint layout, never renamed. */
public final class FunnelStateNames {
    /** triggerId -> {@link FunnelEntry}, in the join. */
    public static final String ENTRY = "funnel-entry";

    /** ruleId -> {@link GuideFunnelTotals}, in the totals operator. */
    public static final String TOTALS = "funnel-totals";

    private FunnelStateNames() {}
}
