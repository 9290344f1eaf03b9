package io.guidance.experiment;

/** Names of the experiments' keyed state; part of the savepoint layout, never renamed. */
public final class ExperimentStateNames {
    /** (experiment, salt) -> {@link Exposure}, per user. */
    public static final String EXPOSURES = "experiment-exposures";

    /** salt -> {@link ExperimentTotals}, per experiment, in the totals operator. */
    public static final String TOTALS = "experiment-totals";

    private ExperimentStateNames() {}
}
