package io.guidance.pipeline.discover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.guidance.discover.Cell;
import io.guidance.discover.DiscoveryQuery;
import io.guidance.discover.Ranking;
import io.guidance.discover.SuggestedRule;
import io.guidance.local.importer.CdnowImporter;
import io.guidance.local.importer.EventJsonLines;
import io.guidance.local.importer.TaobaoImporter;
import io.guidance.pipeline.JobConfig;
import io.guidance.pipeline.replay.Replay;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import io.guidance.rules.ThresholdRule;
import io.guidance.trigger.Trigger;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Discovery as a Flink batch job over the shipped samples (imported CDNOW and Taobao), cell by cell
 * against {@link SpecDiscovery}, the SPEC read literally.
 */
class DiscoveryJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    static Path samples() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path s = d.resolve("data/samples");
            if (Files.isDirectory(s)) {
                return s;
            }
        }
        throw new IllegalStateException("data/samples not found");
    }

    private Path cdnowEvents() throws IOException {
        Path events = dir.resolve("cd.jsonl");
        CdnowImporter importer = new CdnowImporter();
        EventJsonLines.write(
                importer.readSorted(samples().resolve("cdnow-sample.txt")),
                events,
                importer.numericProps());
        return events;
    }

    private Path taobaoEvents() throws IOException {
        Path events = dir.resolve("tb.jsonl");
        EventJsonLines.write(
                new TaobaoImporter().readSorted(samples().resolve("taobao-sample.csv")), events);
        return events;
    }

    @Test
    void cdnowYearRetentionMatchesTheSpecCellByCellAndTheSuggestedRuleFires() throws Exception {
        Path events = cdnowEvents();
        DiscoveryQuery q = DiscoveryQuery.of("30d-365d", "1-5", "1,7,14,30", null, null);

        DiscoveryJob.Result r = DiscoveryJob.run(events.toString(), q, 2, p -> {});

        SpecDiscovery spec = new SpecDiscovery(List.of(events));
        List<SpecDiscovery.Expected> expected =
                spec.cells(
                        30 * SpecDiscovery.DAY,
                        365 * SpecDiscovery.DAY,
                        q.counts(),
                        q.days(),
                        null,
                        null);
        assertSameCells(r.ranked(), expected);
        assertThat(r.ranked()).hasSize(1 * 5 * 4); // one action type: purchase
        assertThat(r.eventsRead()).isEqualTo(6503);
        assertThat(r.badLines()).isZero();
        assertThat(r.tally().users).isEqualTo(2000);
        assertThat(r.tally().cohort).isEqualTo(r.ranked().get(0).users()).isPositive();
        assertThat(r.ranked()).isSortedAccordingTo(Ranking.ORDER);

        Path out = dir.resolve("discovery");
        Optional<Cell> best = DiscoveryOutput.write(r, out, events.toString());
        assertThat(best).isPresent();
        assertCellsFile(out.resolve(DiscoveryOutput.CELLS), r.ranked());
        assertThat(Files.readString(out.resolve(DiscoveryOutput.REPORT))).contains("<html");
        RuleSet rules = RulesParser.parseFile(out.resolve(DiscoveryOutput.RULES));
        ThresholdRule rule = (ThresholdRule) rules.rules.get(0);
        assertThat(rule.target).isEqualTo(best.get().count());
        assertThat(rule.windowMs).isEqualTo(best.get().days() * SpecDiscovery.DAY);
        assertThat(rule.sinceFirstSeen).isTrue();
        assertThat(rule.nudgeFrom).isEqualTo(SuggestedRule.nudgeFrom(rule.target));
        // the best unflagged cell is the first of the ranking that is not flagged
        Cell firstUnflagged = r.ranked().stream().filter(c -> !c.flagged()).findFirst().get();
        assertThat(best.get()).isEqualTo(firstUnflagged);

        Replay.Outcome replay = Replay.run(Replay.readRecords(events), rules, JobConfig.defaults());
        List<Trigger> fired =
                replay.triggers.stream().filter(t -> t.ruleId.equals(rule.id)).toList();
        assertThat(fired).isNotEmpty();
        if (rule.target > 1) {
            // users who reached the target fire the milestone guide
            assertThat(fired).anyMatch(t -> t.guide.equals(rule.reachedGuide));
        }
    }

    @Test
    void taobaoSeveralActionsWithBadAndDuplicateLinesMatchesTheSpec() throws Exception {
        Path events = taobaoEvents();
        List<String> lines = Files.readAllLines(events);
        // a line that is not JSON, one without userId, and an exact duplicate of an event
        Files.writeString(
                events,
                "not json\n{\"eventId\":\"x\",\"sessionId\":\"s\",\"ts\":1,\"type\":\"pv\"}\n"
                        + lines.get(100)
                        + "\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        DiscoveryQuery q = DiscoveryQuery.of("3d-6d", "1-5", "1-3", null, null);

        DiscoveryJob.Result r = DiscoveryJob.run(events.toString(), q, 2, null);

        SpecDiscovery spec = new SpecDiscovery(List.of(events));
        assertThat(spec.badLines).isEqualTo(2);
        assertSameCells(
                r.ranked(),
                spec.cells(
                        3 * SpecDiscovery.DAY,
                        6 * SpecDiscovery.DAY,
                        q.counts(),
                        q.days(),
                        null,
                        null));
        assertThat(r.ranked())
                .extracting(Cell::action)
                .containsOnly("add_to_cart", "favorite", "page_view", "purchase");
        assertThat(r.badLines()).isEqualTo(2);
        assertThat(r.eventsRead())
                .isEqualTo(lines.size() + 1); // the duplicate is read, not counted
        assertThat(r.tally().users).isEqualTo(120);
    }

    @Test
    void directoryInputChosenActionsAndRetainedByPurchase() throws Exception {
        Path events = taobaoEvents();
        Path split = dir.resolve("split");
        Files.createDirectories(split);
        List<String> lines = Files.readAllLines(events);
        Files.write(split.resolve("part-1.jsonl"), lines.subList(0, lines.size() / 2));
        Files.write(split.resolve("part-2.jsonl"), lines.subList(lines.size() / 2, lines.size()));
        DiscoveryQuery q =
                DiscoveryQuery.of(
                        "2d-5d", "1,2,5", "1,2", "add_to_cart,favorite,no_such", "purchase");

        DiscoveryJob.Result r = DiscoveryJob.run(split.toString(), q, 2, null);

        assertThat(r.unknownActions()).containsExactly("no_such");
        SpecDiscovery spec = new SpecDiscovery(List.of(events));
        List<SpecDiscovery.Expected> expected =
                spec.cells(
                        2 * SpecDiscovery.DAY,
                        5 * SpecDiscovery.DAY,
                        q.counts(),
                        q.days(),
                        List.of("add_to_cart", "favorite"),
                        "purchase");
        assertSameCells(r.ranked(), expected);
        assertThat(r.eventsRead()).isEqualTo(lines.size());
    }

    @Test
    void theFlinkRunEntryPointWritesTheThreeFiles() throws Exception {
        Path events = taobaoEvents();
        Path out = dir.resolve("main-out");

        DiscoveryJob.main(
                new String[] {
                    "--events",
                    events.toString(),
                    "--out",
                    out.toString(),
                    "--retention",
                    "3d-6d",
                    "--counts",
                    "1-3",
                    "--days",
                    "1,2",
                    "--parallelism",
                    "1"
                });

        // 4 action types x 3 counts x 2 days
        assertThat(Files.readAllLines(out.resolve(DiscoveryOutput.CELLS))).hasSize(24);
        assertThat(out.resolve(DiscoveryOutput.REPORT)).isNotEmptyFile();
        assertThat(RulesParser.parseFile(out.resolve(DiscoveryOutput.RULES)).rules).hasSize(1);
    }

    /** Same cells (in any order), counts equal, figures equal up to rounding. */
    static void assertSameCells(List<Cell> actual, List<SpecDiscovery.Expected> expected) {
        assertThat(actual).hasSize(expected.size());
        Comparator<String> byKey = Comparator.naturalOrder();
        List<Cell> a = new ArrayList<>(actual);
        a.sort(Comparator.comparing(c -> c.action() + "|" + c.count() + "|" + c.days(), byKey));
        List<SpecDiscovery.Expected> e = new ArrayList<>(expected);
        e.sort(Comparator.comparing(c -> c.action() + "|" + c.count() + "|" + c.days(), byKey));
        for (int i = 0; i < a.size(); i++) {
            Cell c = a.get(i);
            SpecDiscovery.Expected x = e.get(i);
            String cell = x.action() + " N=" + x.count() + " D=" + x.days();
            assertThat(List.of(c.action(), c.count(), c.days(), c.n11(), c.n10(), c.n01(), c.n00()))
                    .as(cell)
                    .isEqualTo(
                            List.of(
                                    x.action(),
                                    x.count(),
                                    x.days(),
                                    x.n11(),
                                    x.n10(),
                                    x.n01(),
                                    x.n00()));
            assertThat(c.phi()).as(cell).isCloseTo(x.phi(), within(1e-12));
            assertThat(c.shareAbove()).as(cell).isCloseTo(x.shareAbove(), within(1e-12));
            assertClose(c.ppv(), x.ppv(), cell);
            assertClose(c.sensitivity(), x.sensitivity(), cell);
            assertClose(c.specificity(), x.specificity(), cell);
            assertClose(c.npv(), x.npv(), cell);
        }
    }

    private static void assertClose(Double actual, Double expected, String cell) {
        if (expected == null) {
            assertThat(actual).as(cell).isNull();
        } else {
            assertThat(actual).as(cell).isCloseTo(expected, within(1e-12));
        }
    }

    /** cells.jsonl: every cell, in ranking order, SPEC field names, absent figures left out. */
    static void assertCellsFile(Path file, List<Cell> ranked) throws IOException {
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(ranked.size());
        for (int i = 0; i < lines.size(); i++) {
            JsonNode n = JSON.readTree(lines.get(i));
            Cell c = ranked.get(i);
            assertThat(n.get("action").asText()).isEqualTo(c.action());
            assertThat(n.get("count").asInt()).isEqualTo(c.count());
            assertThat(n.get("days").asInt()).isEqualTo(c.days());
            assertThat(n.get("n11").asLong()).isEqualTo(c.n11());
            assertThat(n.get("n00").asLong()).isEqualTo(c.n00());
            assertThat(n.get("phi").asDouble()).isEqualTo(c.phi());
            assertThat(n.has("ppv")).isEqualTo(c.ppv() != null);
            List<String> names = new ArrayList<>();
            n.fieldNames().forEachRemaining(names::add);
            assertThat(names)
                    .isSubsetOf(
                            "action",
                            "count",
                            "days",
                            "n11",
                            "n10",
                            "n01",
                            "n00",
                            "phi",
                            "shareAbove",
                            "ppv",
                            "sensitivity",
                            "specificity",
                            "npv")
                    .contains(
                            "action",
                            "count",
                            "days",
                            "n11",
                            "n10",
                            "n01",
                            "n00",
                            "phi",
                            "shareAbove");
        }
        assertThat(lines.stream().map(l -> l.substring(0, 10)).collect(Collectors.toSet()))
                .isNotEmpty();
    }
}
