package io.guidance.pipeline.discover;

import io.guidance.discover.Tally;
import org.apache.flink.api.common.accumulators.Accumulator;

/** A {@link Tally} as a Flink accumulator: tallies added and merged by {@link Tally#merge}. */
final class TallyAccumulator implements Accumulator<Tally, Tally> {
    private static final long serialVersionUID = 1L;

    private Tally tally = new Tally();

    @Override
    public void add(Tally value) {
        tally.merge(value);
    }

    @Override
    public Tally getLocalValue() {
        return tally;
    }

    @Override
    public void resetLocal() {
        tally = new Tally();
    }

    @Override
    public void merge(Accumulator<Tally, Tally> other) {
        tally.merge(other.getLocalValue());
    }

    @Override
    public TallyAccumulator clone() {
        TallyAccumulator copy = new TallyAccumulator();
        copy.tally.merge(tally);
        return copy;
    }
}
