package io.guidance.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.DeadLetter;
import io.guidance.event.Event;
import io.guidance.event.OutputTags;
import io.guidance.rules.PublishedRules;
import io.guidance.rules.RulesCorpusTest;
import io.guidance.rules.RulesUpdate;
import io.guidance.trigger.Trigger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.stream.Stream;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input corpus of the rules topic (SPEC section 3, README "Rules"), through {@link
 * LiveRulesFunction} in Flink's keyed broadcast harness: every bad rules file of {@code
 * corpus/rules/} published in a valid envelope, and every bad envelope of {@code
 * corpus/rules-topic/}. Each is one {@code bad_rules} dead letter with the record's bytes and the
 * promised problems in its detail; the running rules stay in force (a nudge still fires by them);
 * and a valid set published after it applies.
 */
class RulesTopicCorpusTest {
    static final long T0 = LiveRulesFunctionTest.T0;
    static final long MINUTE = LiveRulesFunctionTest.MINUTE;
    static final String TOPIC = "guidance-rules";

    /** One rules-topic record and the fragments its dead letter's detail must hold. */
    record Case(String name, byte[] raw, List<String> fragments) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> corpus() {
        List<Case> cases = new ArrayList<>();
        for (RulesCorpusTest.Case c : RulesCorpusTest.cases()) {
            if (c.valid() || !isUtf8(c.bytes())) {
                continue; // a valid file is no bad input; bytes that are not UTF-8 cannot be a JSON
                // string
            }
            List<String> fragments = new ArrayList<>();
            for (RulesCorpusTest.Expected e : c.problems()) {
                StringBuilder at = new StringBuilder("line " + e.line() + ": ");
                if (e.ruleId() != null) {
                    at.append("rule '").append(e.ruleId()).append("', ");
                }
                if (e.field() != null) {
                    at.append("field '").append(e.field()).append("': ");
                }
                fragments.add(at.toString());
                fragments.add(e.fragment());
            }
            String yaml = new String(c.bytes(), StandardCharsets.UTF_8);
            cases.add(
                    new Case(
                            "rules/" + c.file(),
                            new PublishedRules(2, "ana@laptop", T0, yaml).toJsonBytes(),
                            fragments));
        }
        String tsv =
                new String(
                        RulesCorpusTest.resource("/corpus/rules-topic/cases.tsv"),
                        StandardCharsets.UTF_8);
        for (String line : tsv.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            cases.add(
                    new Case(
                            "rules-topic/" + f[0],
                            RulesCorpusTest.resource("/corpus/rules-topic/" + f[0]),
                            List.of(f[1])));
        }
        return cases.stream().map(Arguments::of);
    }

    static boolean isUtf8(byte[] bytes) {
        return io.guidance.event.Utf8.firstInvalid(bytes) < 0;
    }

    private KeyedBroadcastOperatorTestHarness<String, Event, RulesUpdate, Trigger> harness;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void aBadSetIsOneDeadLetterAndTheRunningRulesStayInForce(Case c) throws Exception {
        harness = LiveRulesFunctionTest.start(LiveRulesFunctionTest.SEVEN_FRIENDS);
        long ts = T0;
        harness.processElement(event("e0", "page_view", ts), ts);
        for (int i = 1; i <= 3; i++) {
            ts = T0 + i * MINUTE;
            harness.processElement(event("e" + i, "friend_added", ts), ts);
        }
        harness.watermark(T0 + 4 * MINUTE);

        harness.processBroadcastElement(new RulesUpdate(c.raw(), TOPIC, 0, 41), T0);

        List<DeadLetter> dead = deadLetters();
        assertThat(dead).hasSize(1);
        DeadLetter d = dead.get(0);
        assertThat(d.reason).isEqualTo(DeadLetter.BAD_RULES);
        assertThat(d.raw).isEqualTo(c.raw());
        assertThat(d.sourceTopic).isEqualTo(TOPIC);
        assertThat(d.sourceOffset).isEqualTo(41);
        for (String fragment : c.fragments()) {
            assertThat(d.detail).contains(fragment);
        }
        assertThat(harness.getBroadcastState(LiveRulesFunction.LIVE_RULES).get("version"))
                .as("nothing applied")
                .isNull();

        // the rules of the start are in force: the fourth friend nudges at 4 of 7
        long fourth = T0 + 10 * MINUTE;
        harness.processElement(event("e4", "friend_added", fourth), fourth);
        harness.watermark(T0 + 11 * MINUTE);
        assertThat(harness.extractOutputValues())
                .extracting(t -> t.triggerId + " " + t.reason.get("count"))
                .containsExactly("seven-friends|alice|-|" + fourth + " 4");

        // and the next valid set applies
        byte[] good =
                new PublishedRules(
                                2,
                                "ana@laptop",
                                T0,
                                LiveRulesFunctionTest.HEADER + LiveRulesFunctionTest.WELCOME_BACK)
                        .toJsonBytes();
        harness.processBroadcastElement(new RulesUpdate(good, TOPIC, 0, 42), T0);
        assertThat(harness.getBroadcastState(LiveRulesFunction.LIVE_RULES).get("version"))
                .isEqualTo("2");
        assertThat(deadLetters()).hasSize(1);
    }

    private static Event event(String id, String type, long ts) {
        return new Event(id, "alice", "s1", ts, type, "/friends", null, null);
    }

    private List<DeadLetter> deadLetters() {
        Queue<StreamRecord<DeadLetter>> records = harness.getSideOutput(OutputTags.DEAD_LETTERS);
        List<DeadLetter> out = new ArrayList<>();
        if (records != null) {
            records.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }
}
