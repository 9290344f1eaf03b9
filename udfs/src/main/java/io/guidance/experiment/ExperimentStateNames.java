package io.guidance.experiment;

/** Names of the experiments' keyed state; part of the savepoint layout, never renamed. */
public final class ExperimentStateNames {
    /** (experiment, salt) -> {@link Exposure}, per user. */
    public static final String EXPOSURES = "experiment-exposures";

    private ExperimentStateNames() {}
}
