package io.guidance.event;

import io.guidance.experiment.ExperimentRecord;
import org.apache.flink.util.OutputTag;

/**
 * Side outputs of the stream functions, in one place so that the topology and tests name them the
 * same way.
 */
public final class OutputTags {
    /** Records that could not be used: bad, too large, late, too far in the future. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

    /**
     * Event ids seen before within the dedup window; kept for accounting (read = processed + dead +
     * duplicates).
     */
    public static final OutputTag<String> DUPLICATES = new OutputTag<>("duplicates") {};

    /** Exposures and conversions of experiments (SPEC section 7). */
    public static final OutputTag<ExperimentRecord> EXPERIMENTS = new OutputTag<>("experiments") {};

    private OutputTags() {}
}
