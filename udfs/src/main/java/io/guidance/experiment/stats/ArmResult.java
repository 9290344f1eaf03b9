package io.guidance.experiment.stats;

/** One arm of a result: its counts and {@code rate} = converted / exposed (null when none). */
public record ArmResult(String arm, int share, long exposed, long converted, Double rate) {}
