package io.guidance.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.SourceRecord;
import io.guidance.rules.RulesUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/**
 * Which operators each graph holds, by uid. The job's uids name its state in savepoints, so they
 * are spelled out here rather than read from {@link Uids}; the live totals belong to the job alone,
 * not to the detection graph that replays and benchmarks run.
 */
class GuidanceGraphTest {

    private static final Set<String> LIVE_TOTALS =
            Set.of("experiment-totals", "feedback-events", "funnel-join", "funnel-totals");

    @Test
    void theJobKeepsEveryOperatorUid() throws Exception {
        JobConfig config = JobConfig.of(Map.of("job.parallelism", "2"));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(FlinkSettings.from(config));
        GuidanceJob.define(env, config, LiveRules.of(LivePipeline.checkoutStallExperiment()));

        assertThat(uids(env.getStreamGraph()))
                .containsExactlyInAnyOrder(
                        "events-source",
                        "split-records",
                        "rules-source",
                        "detect",
                        "redis-sink",
                        "audit-sink",
                        "Sink Committer: audit-sink",
                        "experiments-sink",
                        "Sink Committer: experiments-sink",
                        "dead-letter-sink",
                        "Sink Committer: dead-letter-sink",
                        "experiment-totals",
                        "experiment-totals-sink",
                        "feedback-events",
                        "funnel-join",
                        "funnel-totals",
                        "funnel-totals-sink");
    }

    @Test
    void theDetectionGraphHasNoLiveTotals() throws Exception {
        StreamExecutionEnvironment env = boundedEnvironment();
        detectionGraph(env);

        Set<String> uids = uids(env.getStreamGraph());
        assertThat(uids).contains("split-records", "detect");
        assertThat(uids).doesNotContainAnyElementsOf(LIVE_TOTALS);
    }

    @Test
    void liveTotalsAddTheirOperatorsWithFeedbackChainedToTheSplit() throws Exception {
        StreamExecutionEnvironment env = boundedEnvironment();
        GuidanceTopology.Outputs out = detectionGraph(env);
        GuidanceTopology.LiveTotals totals = GuidanceTopology.liveTotals(out);
        totals.experimentTotals.sinkTo(new DiscardingSink<>()).uid("test-experiment-totals");
        totals.funnelTotals.sinkTo(new DiscardingSink<>()).uid("test-funnel-totals");

        StreamGraph graph = env.getStreamGraph();
        assertThat(uids(graph)).containsAll(LIVE_TOTALS);
        // picking feedback out of the input costs no shuffle: it runs in the split's task
        List<String> vertices = new ArrayList<>();
        for (JobVertex v : graph.getJobGraph().getVertices()) {
            vertices.add(v.getName());
        }
        assertThat(vertices)
                .anySatisfy(name -> assertThat(name).contains("split-records", "feedback-events"));
    }

    private static StreamExecutionEnvironment boundedEnvironment() {
        return StreamExecutionEnvironment.getExecutionEnvironment(
                FlinkSettings.forBoundedRun(JobConfig.defaults()));
    }

    /** The detection graph as a replay builds it, with sinks that discard. */
    private static GuidanceTopology.Outputs detectionGraph(StreamExecutionEnvironment env)
            throws Exception {
        SourceRecord record = new SourceRecord();
        record.raw = new byte[0];
        record.topic = "events";
        DataStream<SourceRecord> records =
                env.fromData(List.of(record), TypeInformation.of(SourceRecord.class))
                        .uid("test-source");
        DataStream<RulesUpdate> noRuleUpdates =
                records.flatMap(
                                (SourceRecord r,
                                        org.apache.flink.util.Collector<RulesUpdate> none) -> {})
                        .returns(RulesUpdate.class)
                        .uid("test-rules");
        GuidanceTopology.Outputs out =
                GuidanceTopology.build(
                        records,
                        noRuleUpdates,
                        LivePipeline.checkoutStallExperiment(),
                        0,
                        JobConfig.defaults().detection());
        out.triggers.sinkTo(new DiscardingSink<>()).uid("test-triggers");
        out.deadLetters.sinkTo(new DiscardingSink<>()).uid("test-dead-letters");
        out.duplicates.sinkTo(new DiscardingSink<>()).uid("test-duplicates");
        out.experiments.sinkTo(new DiscardingSink<>()).uid("test-experiments");
        return out;
    }

    private static Set<String> uids(StreamGraph graph) {
        return graph.getStreamNodes().stream()
                .map(StreamNode::getTransformationUID)
                .collect(Collectors.toSet());
    }
}
