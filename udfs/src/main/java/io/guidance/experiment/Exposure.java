package io.guidance.experiment;

/**
 * A user's exposure to one experiment, kept while the job remembers the user: its arm, when, and
 * whether the user has converted. A Flink POJO, one map entry per experiment.
 */
public class Exposure {
    public String arm;
    public long exposedAt;
    public boolean converted;

    public Exposure() {}

    Exposure(String arm, long exposedAt) {
        this.arm = arm;
        this.exposedAt = exposedAt;
    }
}
