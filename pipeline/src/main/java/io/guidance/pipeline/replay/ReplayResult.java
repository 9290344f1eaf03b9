package io.guidance.pipeline.replay;

import io.guidance.event.DeadLetter;
import io.guidance.experiment.ExperimentRecord;
import io.guidance.trigger.Trigger;

/**
 * One output of a replay, whatever its kind, so that a bounded run collects everything through one
 * sink.
 */
public class ReplayResult {
    /** Exactly one of these is set. */
    public Trigger trigger;

    public DeadLetter deadLetter;
    public String duplicateId;
    public ExperimentRecord experiment;

    public ReplayResult() {}

    static ReplayResult of(Trigger t) {
        ReplayResult r = new ReplayResult();
        r.trigger = t;
        return r;
    }

    static ReplayResult of(DeadLetter d) {
        ReplayResult r = new ReplayResult();
        r.deadLetter = d;
        return r;
    }

    static ReplayResult of(ExperimentRecord x) {
        ReplayResult r = new ReplayResult();
        r.experiment = x;
        return r;
    }

    static ReplayResult duplicate(String eventId) {
        ReplayResult r = new ReplayResult();
        r.duplicateId = eventId;
        return r;
    }
}
