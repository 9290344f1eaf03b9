package io.guidance.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.bench.ThroughputBenchmark.Run;
import io.guidance.event.Event;
import io.guidance.event.EventParser;
import io.guidance.rules.RuleSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs every benchmark once on a small input, so that the benchmark code cannot rot: each run must
 * have processed exactly the events it was fed. No timing is asserted.
 */
class BenchmarkSmokeTest {
    /** One MiniCluster for all runs, so the test does not pay for a cluster start per job. */
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static final int EVENTS = 10_000;
    private static final int RULE_EVENTS = 2_000;

    @Test
    void scaledEventsAreValidSortedAndCopiesHaveTheirOwnIds() throws Exception {
        List<Event> base = ScaledEvents.readBase(ScaledEvents.Inputs.samples());
        ScaledEvents.Scaled s = ScaledEvents.scale(base, base.size() * 2 + 10);
        assertThat(s.copies).isEqualTo(3);
        assertThat(s.events.length).isEqualTo(base.size() * 2 + 10);
        EventParser parser = new EventParser();
        long previous = Long.MIN_VALUE;
        Set<String> ids = new HashSet<>();
        for (byte[] raw : s.events) {
            EventParser.Result r = parser.parse(raw);
            assertThat(r.ok()).as(r.reason + " " + r.detail).isTrue();
            assertThat(r.event.ts).isGreaterThanOrEqualTo(previous);
            previous = r.event.ts;
            assertThat(ids.add(r.event.eventId)).as("unique " + r.event.eventId).isTrue();
            assertThat(r.event.userId).contains("~");
            assertThat(r.event.sessionId)
                    .endsWith(r.event.eventId.substring(r.event.eventId.indexOf('~')));
        }
        Set<String> types = base.stream().map(e -> e.type).collect(Collectors.toSet());
        assertThat(types).contains("page_view", "purchase");
    }

    @Test
    void experimentsChangeStatusesNotTriggersOnBothBackends() throws Exception {
        ExperimentsBenchmark.Measured m =
                ExperimentsBenchmark.run(
                        EVENTS,
                        RULE_EVENTS,
                        1,
                        1,
                        ScaledEvents.repositoryRoot().resolve("config/rules.yaml"),
                        ScaledEvents.Inputs.samples());
        assertThat(m.backends()).containsExactly("hashmap", "rocksdb");
        for (int i = 0; i < 2; i++) {
            Run without = m.without().get(i).get(0);
            Run with = m.with().get(i).get(0);
            // an experiment picks a guide and may hold a trigger back; it never adds or drops one
            assertThat(with.triggers).isEqualTo(without.triggers).isPositive();
            assertThat(without.records).isZero();
            assertThat(with.records).as("exposures and conversions").isPositive();
        }
        assertThat(ExperimentsBenchmark.fragment(m).markdown()).contains("## Experiments");
    }

    @Test
    void generatedRulesHaveAllFiveKinds() {
        for (int n : new int[] {1, 10, 100, 1000}) {
            RuleSet rules = GeneratedRules.of(n);
            assertThat(rules.rules).hasSize(n);
            if (n >= 10) {
                assertThat(rules.rules.stream().map(x -> x.kind()).collect(Collectors.toSet()))
                        .containsExactlyInAnyOrder(
                                "stall", "burst", "loop", "threshold", "comeback");
            }
        }
    }

    @Test
    void rulesPerCategoryAreSevenStallsTwoBurstsAndOneLoopInTenEachOverItsOwnCategory()
            throws Exception {
        List<String> categories =
                GeneratedRules.categoriesByFrequency(
                        ScaledEvents.readBase(ScaledEvents.Inputs.samples()));
        assertThat(categories).hasSizeGreaterThanOrEqualTo(1000).doesNotHaveDuplicates();
        for (int n : new int[] {1, 10, 100, 1000}) {
            RuleSet rules = GeneratedRules.perCategory(n, categories);
            assertThat(rules.rules).hasSize(n);
            Map<String, Long> kinds =
                    rules.rules.stream()
                            .collect(Collectors.groupingBy(x -> x.kind(), Collectors.counting()));
            if (n == 1) {
                assertThat(kinds).containsExactly(Map.entry("stall", 1L));
            } else {
                assertThat(kinds)
                        .containsOnly(
                                Map.entry("stall", n * 7L / 10),
                                Map.entry("burst", n * 2L / 10),
                                Map.entry("loop", n / 10L));
            }
            for (int i = 0; i < n; i++) {
                // every matcher of rule i names the i-th most frequent category, and nothing else
                String category = categories.get(i);
                assertThat(rules.rules.get(i).matchers())
                        .isNotEmpty()
                        .allSatisfy(
                                m ->
                                        assertThat(m.patterns().get("props.category"))
                                                .extracting(g -> g.exactValue())
                                                .containsExactly(category));
            }
        }
    }

    @Test
    void categoriesAreRankedByHowOftenTheEventsNameThem() {
        List<Event> events = new ArrayList<>();
        for (String c : List.of("7", "3", "7", "9", "3", "7")) {
            events.add(
                    new Event("e", "u", "s", 1L, "page_view", null, null, Map.of("category", c)));
        }
        events.add(new Event("e", "u", "s", 1L, "page_view", null, null, null));
        events.add(new Event("e", "u", "s", 1L, "page_view", null, null, Map.of("item", "1")));

        assertThat(GeneratedRules.categoriesByFrequency(events)).containsExactly("7", "3", "9");
    }

    @Test
    void everyBenchmarkProcessesExactlyTheEventsFed(@TempDir Path dir) throws Exception {
        ThroughputBenchmark.Options o = new ThroughputBenchmark.Options();
        o.events = EVENTS;
        o.runs = 1;
        o.parallelisms = new int[] {1, 2};
        o.ruleCounts = new int[] {1, 10, 100, 1000};
        o.ruleEvents = RULE_EVENTS;
        o.rocksdbRuns = 1;
        o.inputs = ScaledEvents.Inputs.samples();
        ThroughputBenchmark.Results r = ThroughputBenchmark.run(o);

        for (int i = 0; i < o.parallelisms.length; i++) {
            Run limit = r.limit.get(i).get(0);
            Run pipeline = r.pipeline.get(i).get(0);
            assertThat(limit.events)
                    .as("limit, parallelism " + o.parallelisms[i])
                    .isEqualTo(EVENTS);
            assertThat(pipeline.events)
                    .as("pipeline, parallelism " + o.parallelisms[i])
                    .isEqualTo(EVENTS);
            assertThat(pipeline.deadLetters).isZero();
            assertThat(pipeline.duplicates).isZero();
            assertThat(pipeline.triggers).isPositive();
            Run hesitation = r.hesitation.get(i).get(0);
            Run cep = r.cep.get(i).get(0);
            assertThat(hesitation.events).isEqualTo(EVENTS);
            assertThat(cep.events).isEqualTo(EVENTS);
            assertThat(cep.triggers).as("CEP detections").isPositive();
            assertThat(hesitation.triggers)
                    .as("fewer rules, fewer triggers")
                    .isLessThan(pipeline.triggers);
            Run rocksLimit = r.rocksdbLimit.get(i).get(0);
            Run rocksPipeline = r.rocksdbPipeline.get(i).get(0);
            assertThat(rocksLimit.events).isEqualTo(r.rocksdbEventCount);
            assertThat(rocksPipeline.events).isEqualTo(r.rocksdbEventCount);
            assertThat(rocksPipeline.deadLetters).isZero();
            assertThat(rocksPipeline.duplicates).isZero();
            // At parallelism 1 the order of arrival is fixed, so the backends must agree exactly.
            if (r.rocksdbEventCount == EVENTS && o.parallelisms[i] == 1) {
                assertThat(rocksPipeline.triggers)
                        .as("the same input gives the same triggers on RocksDB as on the heap")
                        .isEqualTo(pipeline.triggers);
            }
        }
        for (int i = 0; i < o.ruleCounts.length; i++) {
            for (Run run : List.of(r.rules.get(i).get(0), r.categoryRules.get(i).get(0))) {
                assertThat(run.events).as(o.ruleCounts[i] + " rules").isEqualTo(RULE_EVENTS);
                assertThat(run.deadLetters).isZero();
                assertThat(run.duplicates).isZero();
            }
        }

        String md = BenchmarkReport.throughput(r);
        assertThat(md)
                .contains(
                        "### Input",
                        "### Limit, full pipeline and Flink CEP",
                        "Ratio parallelism 2",
                        "### On RocksDB");
        String main = md.substring(md.indexOf("### Limit"), md.indexOf("### On RocksDB"));
        String rocks = md.substring(md.indexOf("### On RocksDB"));
        assertThat(main.lines().filter(l -> l.matches("\\| [12] \\| [0-9,]+ \\|.*")))
                .as(main)
                .hasSize(2);
        assertThat(rocks.lines().filter(l -> l.matches("\\| [12] \\| [0-9,]+ \\|.*")))
                .as(rocks)
                .hasSize(2);
        assertThat(BenchmarkReport.rules(r))
                .contains(
                        "### Rule scaling",
                        "#### Realistic: rules per category",
                        "#### Stress: every rule fires",
                        "| 1000 |");
        assertThat(BenchmarkReport.machine()).contains("| Flink | 2.2.1");
        BenchmarkReport.chart(r, dir.resolve("chart.png"));
        assertThat(ImageIO.read(dir.resolve("chart.png").toFile()).getWidth()).isEqualTo(900);
    }
}
