package io.guidance.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.DeadLetter;
import io.guidance.event.Event;
import io.guidance.event.EventJson;
import io.guidance.pipeline.replay.Replay;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import io.guidance.trigger.Trigger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bounded replay over a file: exact triggers, every record accounted for, the same output every
 * run.
 */
class ReplayTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    static final long T0 = 1_700_000_000_000L;
    static final String RULES =
            String.join(
                    "\n",
                    "version: 1",
                    "delivery: {ttl: 10m}",
                    "rules:",
                    "  - id: checkout-stall",
                    "    guide: checkout-help",
                    "    kind: stall",
                    "    start: {type: page_view, page: /checkout}",
                    "    progress: [{type: page_view}, {type: click, target: \"#pay\"}]",
                    "    within: 8s");

    @TempDir Path dir;

    @Test
    void replayGivesExactTriggersAndAccountsForEveryRecord() throws Exception {
        List<String> lines = new ArrayList<>();
        // in ts order, as a producer would send them (a file more than 2 s out of order has late
        // events)
        // ann stalls on checkout: fires at T0 + 8s
        lines.add(event("e1", "ann", "s1", T0, "page_view", "/checkout", null));
        // cid comes back to checkout at +5 s: the wait restarts and fires at T0 + 13 s
        lines.add(event("e4", "cid", "s3", T0, "page_view", "/checkout", null));
        // bob pays within 8 s: nothing
        lines.add(event("e2", "bob", "s2", T0 + 1_000, "page_view", "/checkout", null));
        lines.add(event("e3", "bob", "s2", T0 + 4_000, "click", "/checkout", "#pay"));
        lines.add(event("e5", "cid", "s3", T0 + 5_000, "page_view", "/checkout", null));
        // a producer retry of e3 with the same id: processed once
        lines.add(event("e3", "bob", "s2", T0 + 4_000, "click", "/checkout", "#pay"));
        // bad records
        lines.add("not json at all");
        lines.add("{\"eventId\":\"e9\",\"sessionId\":\"s9\",\"ts\":1,\"type\":\"click\"}");
        // 40 s later, then an event 30 s behind that: late (bound is 2 s)
        lines.add(event("e6", "dan", "s4", T0 + 40_000, "click", "/home", null));
        lines.add(event("e7", "eve", "s5", T0 + 10_000, "page_view", "/checkout", null));
        Path events = dir.resolve("events.jsonl");
        Files.write(events, lines, StandardCharsets.UTF_8);

        RuleSet rules = RulesParser.parse(RULES, "test");
        Replay.Outcome outcome =
                Replay.run(Replay.readRecords(events), rules, JobConfig.defaults());

        assertThat(outcome.triggers)
                .extracting(t -> t.triggerId)
                .containsExactly(
                        "checkout-stall|ann|s1|" + (T0 + 8_000),
                        "checkout-stall|cid|s3|" + (T0 + 13_000));
        Trigger ann = outcome.triggers.get(0);
        assertThat(ann.expiresAt).isEqualTo(T0 + 8_000 + 600_000);
        assertThat(ann.status).isEqualTo("delivered");
        assertThat(outcome.deadLetters)
                .extracting(d -> d.reason)
                .containsExactly(DeadLetter.NOT_JSON, DeadLetter.MISSING_FIELD, DeadLetter.LATE);
        assertThat(outcome.deadLetters)
                .extracting(d -> d.sourceOffset)
                .containsExactly(7L, 8L, 10L);
        assertThat(new String(outcome.deadLetters.get(2).raw, StandardCharsets.UTF_8))
                .isEqualTo(lines.get(9));
        assertThat(outcome.duplicates).isEqualTo(1);
        assertThat(outcome.recordsRead).isEqualTo(10);
        assertThat(outcome.processed()).isEqualTo(6);
    }

    @Test
    void replayOfTheSameFileIsTheSameEveryRun() throws Exception {
        Path events = dir.resolve("many.jsonl");
        List<String> lines = new ArrayList<>();
        // 300 users, each opening checkout and half of them paying; equal timestamps across users
        // on purpose
        for (int u = 0; u < 300; u++) {
            long t = T0 + (u % 7) * 1_000L;
            lines.add(event("c" + u, "u" + u, "s" + u, t, "page_view", "/checkout", null));
            if (u % 2 == 0) {
                lines.add(
                        event("p" + u, "u" + u, "s" + u, t + 8_000, "click", "/checkout", "#pay"));
            }
        }
        lines.sort((a, b) -> Long.compare(ts(a), ts(b)));
        Files.write(events, lines, StandardCharsets.UTF_8);
        RuleSet rules = RulesParser.parse(RULES, "test");

        List<Trigger> first =
                Replay.run(Replay.readRecords(events), rules, JobConfig.defaults()).triggers;
        List<Trigger> second =
                Replay.run(Replay.readRecords(events), rules, JobConfig.defaults()).triggers;

        // progress exactly at the deadline cancels (SPEC section 3): only the 150 odd users stall
        assertThat(first).hasSize(150);
        assertThat(second).isEqualTo(first);
    }

    /**
     * A replay has no clock, so the live bound {@code events.maxFutureSkew} (1 h by default) does
     * not apply: an event in the year 2100 is replayed like any other, and its stall fires at its
     * deadline when the file ends.
     */
    @Test
    void aReplayKeepsAnEventFarAheadOfTheClock() throws Exception {
        long year2100 = 4_102_444_800_000L;
        Path events = dir.resolve("future.jsonl");
        Files.write(
                events,
                List.of(event("f1", "ann", "s1", year2100, "page_view", "/checkout", null)),
                StandardCharsets.UTF_8);
        RuleSet rules = RulesParser.parse(RULES, "test");
        JobConfig config = JobConfig.defaults();
        assertThat(config.maxFutureSkew()).isEqualTo(java.time.Duration.ofHours(1));

        Replay.Outcome outcome = Replay.run(Replay.readRecords(events), rules, config);

        assertThat(outcome.deadLetters).isEmpty();
        assertThat(outcome.recordsRead).isEqualTo(1);
        assertThat(outcome.processed()).isEqualTo(1);
        assertThat(outcome.triggers)
                .extracting(t -> t.triggerId)
                .containsExactly("checkout-stall|ann|s1|" + (year2100 + 8_000));
    }

    private static long ts(String json) {
        int i = json.indexOf("\"ts\":") + 5;
        return Long.parseLong(json.substring(i, json.indexOf(',', i)));
    }

    static String event(
            String id,
            String user,
            String session,
            long ts,
            String type,
            String page,
            String target) {
        return EventJson.toJson(new Event(id, user, session, ts, type, page, target, null));
    }
}
