package io.guidance.pipeline;

import io.guidance.detect.DetectionSettings;
import io.guidance.detect.LiveRulesFunction;
import io.guidance.event.DeadLetter;
import io.guidance.event.Event;
import io.guidance.event.OutputTags;
import io.guidance.event.RecordSplitter;
import io.guidance.event.SourceRecord;
import io.guidance.experiment.ExperimentRecord;
import io.guidance.experiment.ExperimentTotals;
import io.guidance.experiment.ExperimentTotalsFunction;
import io.guidance.funnel.Feedback;
import io.guidance.funnel.FeedbackEvents;
import io.guidance.funnel.GuideFunnelJoin;
import io.guidance.funnel.GuideFunnelTotals;
import io.guidance.funnel.GuideFunnelTotalsFunction;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesUpdate;
import io.guidance.trigger.Trigger;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The one graph that the job, the demo, replay and the tests run. It starts from source records
 * that already carry event timestamps and watermarks (each caller brings its own source) and ends
 * in the streams the caller sinks. The live totals (docs/live-totals.md) are a separate step,
 * {@link #liveTotals}, that only the job adds: a replay or a benchmark has no Redis hash to keep
 * and would pay for them on every event and every trigger.
 */
public final class GuidanceTopology {

    /** What the detection graph produces; the caller attaches sinks. */
    public static final class Outputs {
        public final DataStream<Trigger> triggers;
        public final DataStream<DeadLetter> deadLetters;
        public final DataStream<String> duplicates;

        /** Exposures and conversions of experiments (SPEC section 7). */
        public final DataStream<ExperimentRecord> experiments;

        // what liveTotals builds on: the valid events, the rules stream and the rules detection
        // started with
        final SingleOutputStreamOperator<Event> events;
        final BroadcastStream<RulesUpdate> liveRules;
        final RuleSet rules;
        final long rulesVersion;
        final DetectionSettings detection;

        Outputs(
                DataStream<Trigger> triggers,
                DataStream<DeadLetter> deadLetters,
                DataStream<String> duplicates,
                DataStream<ExperimentRecord> experiments,
                SingleOutputStreamOperator<Event> events,
                BroadcastStream<RulesUpdate> liveRules,
                RuleSet rules,
                long rulesVersion,
                DetectionSettings detection) {
            this.triggers = triggers;
            this.deadLetters = deadLetters;
            this.duplicates = duplicates;
            this.experiments = experiments;
            this.events = events;
            this.liveRules = liveRules;
            this.rules = rules;
            this.rulesVersion = rulesVersion;
            this.detection = detection;
        }
    }

    /** The running totals that the job writes to Redis hashes (docs/live-totals.md). */
    public static final class LiveTotals {
        /** Each experiment's running totals, at most once a second per experiment. */
        public final DataStream<ExperimentTotals> experimentTotals;

        /** Each rule's guide funnel totals, at most once a second per rule. */
        public final DataStream<GuideFunnelTotals> funnelTotals;

        LiveTotals(
                DataStream<ExperimentTotals> experimentTotals,
                DataStream<GuideFunnelTotals> funnelTotals) {
            this.experimentTotals = experimentTotals;
            this.funnelTotals = funnelTotals;
        }
    }

    private GuidanceTopology() {}

    /**
     * The detection graph: validation, detection and delivery, with the experiment records they
     * give. No live totals: add them with {@link #liveTotals}.
     *
     * @param records events with event timestamps and watermarks
     * @param ruleUpdates rule sets published while the job runs (may be an empty bounded stream);
     *     must not carry watermarks that hold back event time
     * @param rules the rules in force at start, and their version (0 for the rules file)
     */
    public static Outputs build(
            DataStream<SourceRecord> records,
            DataStream<RulesUpdate> ruleUpdates,
            RuleSet rules,
            long rulesVersion,
            DetectionSettings detection) {
        // Valid events go on; bad and late records leave here, while their original bytes are still
        // at hand.
        // Same parallelism as the source, so it chains to it and sees each split's records and
        // watermarks in order.
        SingleOutputStreamOperator<Event> events =
                records.process(new RecordSplitter())
                        .setParallelism(records.getParallelism())
                        .uid(Uids.SPLIT_RECORDS)
                        .name(Uids.SPLIT_RECORDS);

        // One shuffle: every rule, per-session or per-user, and the delivery policy run under the
        // user's key; rule
        // changes reach every task of that operator through broadcast state.
        BroadcastStream<RulesUpdate> liveRules =
                ruleUpdates.broadcast(LiveRulesFunction.LIVE_RULES);
        SingleOutputStreamOperator<Trigger> triggers =
                events.keyBy(e -> e.userId)
                        .connect(liveRules)
                        .process(new LiveRulesFunction(rules, rulesVersion, detection))
                        .uid(Uids.DETECT)
                        .name(Uids.DETECT);

        DataStream<DeadLetter> deadLetters =
                events.getSideOutput(OutputTags.DEAD_LETTERS)
                        .union(triggers.getSideOutput(OutputTags.DEAD_LETTERS));
        return new Outputs(
                triggers,
                deadLetters,
                triggers.getSideOutput(OutputTags.DUPLICATES),
                triggers.getSideOutput(OutputTags.EXPERIMENTS),
                events,
                liveRules,
                rules,
                rulesVersion,
                detection);
    }

    /**
     * The live totals of the graph that {@code detected} comes from: each experiment's totals and
     * each rule's guide funnel. The production job adds them right after {@link #build}, so its
     * operators and their uids stay as they were.
     */
    public static LiveTotals liveTotals(Outputs detected) {
        // totals live in Flink state, checkpointed with the exposures that made them: a restart
        // counts nothing twice (Redis only ever receives absolute values); the rules in force give
        // each arm's share
        DataStream<ExperimentTotals> experimentTotals =
                detected.experiments
                        .keyBy(r -> r.experiment)
                        .connect(detected.liveRules)
                        .process(
                                new ExperimentTotalsFunction(detected.rules, detected.rulesVersion))
                        .uid(Uids.EXPERIMENT_TOTALS)
                        .name(Uids.EXPERIMENT_TOTALS);

        // The guide funnel (SPEC section 7): feedback picked from the input where it is split,
        // chained, so that other events cost one type comparison and detection does no extra work;
        // joined with every trigger by trigger id, then counted per rule in checkpointed state.
        DataStream<Feedback> feedback =
                detected.events
                        .flatMap(new FeedbackEvents())
                        .setParallelism(detected.events.getParallelism())
                        .uid(Uids.FEEDBACK_EVENTS)
                        .name(Uids.FEEDBACK_EVENTS);
        DataStream<GuideFunnelTotals> funnelTotals =
                detected.triggers
                        .keyBy(t -> t.triggerId)
                        .connect(feedback.keyBy(f -> f.triggerId))
                        .process(new GuideFunnelJoin(detected.detection.feedbackGraceMs))
                        .uid(Uids.FUNNEL_JOIN)
                        .name(Uids.FUNNEL_JOIN)
                        .keyBy(s -> s.ruleId)
                        .process(new GuideFunnelTotalsFunction())
                        .uid(Uids.FUNNEL_TOTALS)
                        .name(Uids.FUNNEL_TOTALS);
        return new LiveTotals(experimentTotals, funnelTotals);
    }
}
