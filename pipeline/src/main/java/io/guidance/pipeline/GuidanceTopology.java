package io.guidance.pipeline;

import io.guidance.detect.DetectionFunction;
import io.guidance.detect.DetectionSettings;
import io.guidance.detect.OutputTags;
import io.guidance.event.DeadLetter;
import io.guidance.event.Event;
import io.guidance.event.RecordSplitter;
import io.guidance.event.SourceRecord;
import io.guidance.rules.RuleSet;
import io.guidance.trigger.Trigger;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;


/**
 * The one graph that the job, the demo, replay and the tests run. It starts from source records that already carry
 * event timestamps and watermarks (each caller brings its own source) and ends in the streams the caller sinks.
 */
public final class GuidanceTopology {

    /** What the graph produces; the caller attaches sinks. */
    public static final class Outputs {
        public final DataStream<Trigger> triggers;
        public final DataStream<DeadLetter> deadLetters;
        public final DataStream<String> duplicates;

        Outputs(DataStream<Trigger> triggers, DataStream<DeadLetter> deadLetters, DataStream<String> duplicates) {
            this.triggers = triggers;
            this.deadLetters = deadLetters;
            this.duplicates = duplicates;
        }
    }

    private GuidanceTopology() {}

    public static Outputs build(DataStream<SourceRecord> records, RuleSet rules, DetectionSettings detection) {
        // Valid events go on; bad and late records leave here, while their original bytes are still at hand.
        // Same parallelism as the source, so it chains to it and sees each split's records and watermarks in order.
        SingleOutputStreamOperator<Event> events = records
                .process(new RecordSplitter())
                .setParallelism(records.getParallelism())
                .uid(Uids.SPLIT_RECORDS).name("validate and split");

        // One shuffle: every rule, per-session or per-user, is evaluated under the user's key.
        SingleOutputStreamOperator<Trigger> triggers = events
                .keyBy(e -> e.userId)
                .process(new DetectionFunction(rules, detection))
                .uid(Uids.DETECT).name("detect");

        DataStream<DeadLetter> deadLetters = events.getSideOutput(OutputTags.DEAD_LETTERS)
                .union(triggers.getSideOutput(OutputTags.DEAD_LETTERS));
        return new Outputs(triggers, deadLetters, triggers.getSideOutput(OutputTags.DUPLICATES));
    }
}
