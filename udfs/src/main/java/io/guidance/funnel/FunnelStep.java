package io.guidance.funnel;

/**
 * One step of the guide funnel, emitted once per trigger id and measure: a trigger of {@code
 * ruleId} and {@code guide} got {@code measure} (its status, or {@code shown}, {@code clicked},
 * {@code dismissed}, {@code completed}). A Flink POJO.
 */
public class FunnelStep {
    public String ruleId;
    public String guide;
    public String measure;

    public FunnelStep() {}

    public FunnelStep(String ruleId, String guide, String measure) {
        this.ruleId = ruleId;
        this.guide = guide;
        this.measure = measure;
    }

    @Override
    public String toString() {
        return ruleId + " " + guide + "/" + measure;
    }
}
