package io.guidance.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.bench.ThroughputBenchmark.Run;
import io.guidance.bench.cep.CepHesitationJob;
import io.guidance.bench.cep.Detection;
import io.guidance.event.Event;
import io.guidance.event.EventJson;
import io.guidance.event.SourceRecord;
import io.guidance.pipeline.GuidanceTopology;
import io.guidance.pipeline.JobConfig;
import io.guidance.rules.Rule;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import io.guidance.rules.RulesUpdate;
import io.guidance.time.ClickstreamWatermarks;
import io.guidance.trigger.Trigger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The CEP baseline finds what the pipeline finds: the same (rule, user, session, trigger time) for
 * the stall, burst and loop rules, on a story whose triggers follow from SPEC section 3 and on the
 * repository's sample data. The pipeline's triggers are taken before delivery matters: every
 * trigger counts, delivered or suppressed.
 *
 * <p>Parallelism 1: the benchmark's source gives subtask i of p the events i, i+p, ..., so with p >
 * 1 the events of one session reach the detection from two subtasks, and events with equal {@code
 * ts} (the Taobao data has whole seconds) arrive in an order that changes from run to run. SPEC
 * orders equal {@code ts} by input order, which then is not defined; with one source subtask it is
 * the file order, for both jobs.
 */
class CepBenchmarkTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final String USER = "u1";
    private static final String VISIT = "visit-1";
    private static final String OTHER_VISIT = "visit-2";

    /** Three rules with short windows, so that a story of a minute exercises every boundary. */
    private static final String STORY_RULES =
            String.join(
                    "\n",
                    "version: 1",
                    "rules:",
                    "  - id: cart-wait",
                    "    guide: g1",
                    "    kind: stall",
                    "    start: {type: add_to_cart}",
                    "    progress: [{type: purchase}]",
                    "    within: 10s",
                    "  - id: rage",
                    "    guide: g2",
                    "    kind: burst",
                    "    match: {type: click}",
                    "    sameField: target",
                    "    count: 3",
                    "    within: 1s",
                    "  - id: back-and-forth",
                    "    guide: g3",
                    "    kind: loop",
                    "    match: {type: page_view, page: \"/item/*\"}",
                    "    field: page",
                    "    times: 3",
                    "    within: 60s",
                    "");

    @AfterEach
    void releaseEvents() {
        ArraySource.load(new byte[0][]);
    }

    @Test
    void bothFindTheTriggersSpecGivesForAStory() throws Exception {
        RuleSet rules = RulesParser.parse(STORY_RULES, "story");
        List<Event> story = new ArrayList<>();
        // stall: progress exactly at the deadline cancels
        story.add(event(VISIT, 0, "add_to_cart", null, null));
        story.add(event(VISIT, 10_000, "purchase", null, null));
        // stall: a second start restarts the wait (deadline 35 s, not 30 s); progress 1 ms after
        // the deadline is late
        story.add(event(VISIT, 20_000, "add_to_cart", null, null));
        story.add(event(VISIT, 25_000, "add_to_cart", null, null));
        story.add(event(VISIT, 35_001, "purchase", null, null));
        // stall in another visit of the same user: nothing follows, it fires at the end of input
        story.add(event(OTHER_VISIT, 1_000, "add_to_cart", null, null));
        // burst: three clicks on #a spanning exactly the window fire; the group is emptied
        story.add(event(VISIT, 40_000, "click", null, "#a"));
        story.add(event(VISIT, 40_500, "click", null, "#a"));
        story.add(event(VISIT, 41_000, "click", null, "#a"));
        story.add(event(VISIT, 41_100, "click", null, "#a"));
        story.add(event(VISIT, 41_200, "click", null, "#a"));
        story.add(event(VISIT, 41_300, "click", null, "#b")); // another group
        story.add(
                event(
                        VISIT, 42_300, "click", null,
                        "#a")); // 41.1 and 41.2 have left the window: one in the group
        story.add(event(VISIT, 42_400, "click", null, "#a"));
        story.add(event(VISIT, 42_500, "click", null, "#a")); // three again
        // loop: /item/1 a third time, not counting the refresh at 51 s
        story.add(event(VISIT, 50_000, "page_view", "/item/1", null));
        story.add(event(VISIT, 51_000, "page_view", "/item/1", null)); // refresh
        story.add(event(VISIT, 52_000, "page_view", "/item/2", null));
        story.add(event(VISIT, 53_000, "page_view", "/item/1", null));
        story.add(event(VISIT, 54_000, "page_view", "/item/2", null));
        story.add(
                event(
                        VISIT,
                        55_000,
                        "page_view",
                        "/item/1",
                        null)); // third /item/1: fires, window emptied
        story.add(
                event(
                        VISIT,
                        56_000,
                        "page_view",
                        "/item/2",
                        null)); // /item/2 counts once again, not three times
        story.add(event(VISIT, 57_000, "page_view", "/item/1", null));
        story.add(event(VISIT, 58_000, "page_view", "/item/2", null));
        byte[][] events = serialized(story);

        Set<Detection> expected =
                Set.of(
                        new Detection("cart-wait", USER, VISIT, 35_000),
                        new Detection("cart-wait", USER, OTHER_VISIT, 11_000),
                        new Detection("rage", USER, VISIT, 41_000),
                        new Detection("rage", USER, VISIT, 42_500),
                        new Detection("back-and-forth", USER, VISIT, 55_000));
        assertThat(distinct(pipelineDetections(events, rules))).isEqualTo(expected);
        assertThat(distinct(cepDetections(events, rules))).isEqualTo(expected);
    }

    @Test
    void cepFindsWhatThePipelineFindsOnTheSamples() throws Exception {
        List<Event> base = ScaledEvents.readBase(ScaledEvents.Inputs.samples());
        byte[][] events = ScaledEvents.scale(base, base.size()).events;
        RuleSet rules =
                CepHesitationJob.hesitationRules(
                        RulesParser.parseFile(
                                ScaledEvents.repositoryRoot().resolve("config/rules.yaml")));
        assertThat(rules.rules).extracting(Rule::kind).containsOnly("stall", "burst", "loop");

        Set<Detection> pipeline = distinct(pipelineDetections(events, rules));
        Set<Detection> cep = distinct(cepDetections(events, rules));

        // not a vacuous comparison: the samples make every kind fire
        Set<String> kindsFired =
                pipeline.stream().map(d -> rules.rule(d.ruleId).kind()).collect(Collectors.toSet());
        assertThat(kindsFired).containsExactlyInAnyOrder("stall", "burst", "loop");
        Set<Detection> onlyPipeline = new HashSet<>(pipeline);
        onlyPipeline.removeAll(cep);
        Set<Detection> onlyCep = new HashSet<>(cep);
        onlyCep.removeAll(pipeline);
        assertThat(onlyPipeline).as("found by the pipeline only").isEmpty();
        assertThat(onlyCep).as("found by CEP only").isEmpty();
    }

    @Test
    void cepBenchmarkProcessesEveryEventFed() throws Exception {
        byte[][] events = ScaledEvents.scale(ScaledEvents.Inputs.samples(), 5_000).events;
        RuleSet rules =
                CepHesitationJob.hesitationRules(
                        RulesParser.parseFile(
                                ScaledEvents.repositoryRoot().resolve("config/rules.yaml")));
        for (int p : new int[] {1, 2}) {
            Run run = CepBenchmark.cep(events, p, rules);
            assertThat(run.events).as("parallelism " + p).isEqualTo(events.length);
            assertThat(run.triggers).as("parallelism " + p).isPositive();
        }
    }

    // ---------------------------------------------------------------- the two jobs, collected

    /** The pipeline's triggers for {@code rules}, whatever their delivery status. */
    private static List<Detection> pipelineDetections(byte[][] events, RuleSet rules)
            throws Exception {
        ArraySource.load(events);
        JobConfig config = JobConfig.defaults();
        StreamExecutionEnvironment env = ThroughputBenchmark.environment(1);
        DataStream<SourceRecord> records =
                ThroughputBenchmark.source(env)
                        .map(new ThroughputBenchmark.ParseRecord())
                        .returns(SourceRecord.class)
                        .assignTimestampsAndWatermarks(
                                ClickstreamWatermarks.forReplay(config.maxOutOfOrderness()));
        DataStream<RulesUpdate> noRuleUpdates =
                records.flatMap((SourceRecord r, Collector<RulesUpdate> none) -> {})
                        .returns(RulesUpdate.class);
        GuidanceTopology.Outputs out =
                GuidanceTopology.build(records, noRuleUpdates, rules, 0, config.detection());
        return collect(
                out.triggers
                        .map((Trigger t) -> new Detection(t.ruleId, t.userId, t.sessionId, t.ts))
                        .returns(Types.POJO(Detection.class)));
    }

    private static List<Detection> cepDetections(byte[][] events, RuleSet rules) throws Exception {
        ArraySource.load(events);
        JobConfig config = JobConfig.defaults();
        StreamExecutionEnvironment env = ThroughputBenchmark.environment(1);
        DataStream<Event> parsed =
                ThroughputBenchmark.source(env)
                        .map(new ThroughputBenchmark.ParseEvent())
                        .returns(TypeInformation.of(Event.class))
                        .assignTimestampsAndWatermarks(
                                CepHesitationJob.watermarks(config.maxOutOfOrderness()));
        return collect(CepHesitationJob.build(parsed, rules, config.detection().sessionTimeoutMs));
    }

    private static List<Detection> collect(DataStream<Detection> detections) throws Exception {
        List<Detection> out = new ArrayList<>();
        try (CloseableIterator<Detection> it = detections.executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        return out;
    }

    /**
     * The detections as a set; each must occur once (an event fires at most one trigger per rule).
     */
    private static Set<Detection> distinct(List<Detection> detections) {
        Set<Detection> set = new HashSet<>(detections);
        assertThat(set).as("no detection twice").hasSameSizeAs(detections);
        return set;
    }

    // ---------------------------------------------------------------- fixtures

    private static int nextId;

    private static Event event(String session, long ts, String type, String page, String target) {
        return new Event("e" + (++nextId), USER, session, ts, type, page, target, null);
    }

    private static byte[][] serialized(List<Event> events) {
        return events.stream()
                .sorted(Comparator.comparingLong((Event e) -> e.ts))
                .map(EventJson::toJsonBytes)
                .toArray(byte[][]::new);
    }
}
