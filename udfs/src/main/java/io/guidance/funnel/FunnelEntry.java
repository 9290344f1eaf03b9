package io.guidance.funnel;

/**
 * What the join remembers of one trigger id: the trigger's rule and guide (null until the trigger
 * arrives), a bit per feedback measure already seen, and when the entry ends. A Flink POJO.
 */
public class FunnelEntry {
    public String ruleId;
    public String guide;

    /** Bit i: a feedback event of {@link FunnelMeasures#FEEDBACK_TYPES}[i] named this id. */
    public int seen;

    /** Event time after which the entry is dropped. */
    public long endOfLife;

    public FunnelEntry() {}

    public boolean hasTrigger() {
        return ruleId != null;
    }
}
