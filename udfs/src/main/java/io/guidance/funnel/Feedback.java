package io.guidance.funnel;

/**
 * A feedback event reduced to what the guide funnel needs: the trigger id it names and its measure.
 * Small, so that the shuffle to the join by trigger id carries little. A Flink POJO.
 */
public class Feedback {
    public String triggerId;

    /** Index into {@link FunnelMeasures#FEEDBACK}. */
    public int measure;

    public Feedback() {}

    public Feedback(String triggerId, int measure) {
        this.triggerId = triggerId;
        this.measure = measure;
    }

    @Override
    public String toString() {
        return FunnelMeasures.FEEDBACK.get(measure) + " " + triggerId;
    }
}
