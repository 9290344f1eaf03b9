package io.guidance.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.Event;
import io.guidance.event.OutputTags;
import io.guidance.rules.PublishedRules;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RuleValidationException;
import io.guidance.rules.RulesParser;
import io.guidance.rules.RulesUpdate;
import io.guidance.trigger.Trigger;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Queue;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * State written by this version stays readable: a snapshot of {@link LiveRulesFunction}, taken once
 * and committed ({@value #SNAPSHOT}), is restored into the current code, which must then fire
 * exactly what the SPEC says the state in it leads to. A change that renames a state, changes a
 * state's type or a POJO field of {@link Inbox} without a migration fails here.
 *
 * <p>The snapshot holds one user who, at {@link #T0} + 5 s, has: two events waiting for the
 * watermark, an open stall wait, a burst group of two clicks, a threshold count of 2, one delivery
 * in memory, the ids of the events seen; and, in broadcast state, the rules below as version 1. To
 * write it again (only for a deliberate, migrated layout change), see {@link #write}.
 */
class SavepointCompatibilityTest {
    static final String SNAPSHOT = "savepoints/live-rules-function-0.1.snapshot";

    static final long T0 = 1_700_000_000_000L;
    static final long SECOND = 1_000L;
    static final String ALICE = "alice";
    static final String RULES_TOPIC = "guidance-rules";

    /**
     * A minimum gap of 5 s, so that what the snapshot delivered suppresses what comes 4 s later.
     */
    static final String RULES =
            """
            version: 1
            delivery: {ttl: 10m, minGap: 5s, maxPerDay: 5, cooldown: 1d}
            rules:
              - id: checkout-stall
                guide: checkout-help
                kind: stall
                start: {type: page_view, page: /checkout}
                progress: [{type: click, target: "#pay"}]
                within: 1m
              - id: rage-click
                guide: help-widget
                kind: burst
                match: {type: click}
                sameField: target
                count: 3
                within: 10s
                priority: 10
              - id: friends
                guide: invite-friends
                kind: threshold
                action: {type: friend_added}
                target: 3
                window: {sinceFirstSeen: 10d}
                nudgeFrom: 2
                reachedGuide: friends-milestone
            """;

    /** The function is built with no rules: the restored ones come from broadcast state. */
    static final String NO_RULES = "version: 1\nrules: []\n";

    private KeyedBroadcastOperatorTestHarness<String, Event, RulesUpdate, Trigger> harness;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    @Test
    void aSnapshotOfThisLayoutRestoresAndFiresWhatItsStateLeadsTo() throws Exception {
        URL resource = getClass().getClassLoader().getResource(SNAPSHOT);
        assertThat(resource).as(SNAPSHOT + " on the test class path").isNotNull();
        OperatorSubtaskState snapshot =
                OperatorSnapshotUtil.readStateHandle(Path.of(resource.toURI()).toString());

        harness = newHarness();
        harness.setup();
        harness.initializeState(snapshot);
        harness.open();

        assertThat(harness.getBroadcastState(LiveRulesFunction.LIVE_RULES).get("version"))
                .isEqualTo("1");
        // the ids seen before the snapshot still mark duplicates (checked when the key's timer
        // takes the arrival in)
        harness.processElement(click("e-6", T0 + 6 * SECOND, "#help"), T0 + 6 * SECOND);

        harness.watermark(T0 + 2 * 60 * SECOND);
        assertThat(sideOutput(OutputTags.DUPLICATES)).containsExactly("e-6");

        // SPEC section 3 and 4, from the state in the snapshot:
        // - rage-click: the waiting click at +6 s joins the group of +3 s and +4 s: 3 within 10 s.
        //   Suppressed by the minimum gap: the last delivery (the nudge at +2 s) is 4 s before.
        // - friends: the waiting friend at +7 s is the third, count 3 = target: the milestone.
        //   Delivered: 5 s after the last delivery, which is not less than the gap.
        // - checkout-stall: the wait opened by the checkout view at T0 reaches its deadline at
        //   +60 s with no progress. Delivered: 53 s after the milestone.
        assertThat(summary())
                .containsExactly(
                        "rage-click|alice|s1|" + (T0 + 6_000) + " help-widget suppressed:min_gap",
                        "friends|alice|-|" + (T0 + 7_000) + " friends-milestone delivered",
                        "checkout-stall|alice|s1|" + (T0 + 60_000) + " checkout-help delivered");
        Trigger burst = harness.extractOutputValues().get(0);
        assertThat(burst.reason)
                .containsEntry("count", "3")
                .containsEntry("firstAt", Long.toString(T0 + 3_000));
        Trigger stall = harness.extractOutputValues().get(2);
        assertThat(stall.reason)
                .containsEntry("startedAt", Long.toString(T0))
                .containsEntry("deadline", Long.toString(T0 + 60_000));
    }

    /**
     * Writes the snapshot again, only for a deliberate, migrated layout change; the build never
     * runs it. From the repository root, after {@code ./mvnw -B -q -pl udfs -am package
     * -DskipTests}: {@code java -cp "udfs/target/test-classes:udfs/target/classes:$(./mvnw -q -pl
     * udfs dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=test)"
     * io.guidance.detect.SavepointCompatibilityTest
     * udfs/src/test/resources/savepoints/live-rules-function-0.1.snapshot}. Before the snapshot,
     * the nudge at +2 s is delivered: asserted so that a wrong story is not saved.
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: SavepointCompatibilityTest SNAPSHOT_FILE");
            System.exit(2);
        }
        SavepointCompatibilityTest writer = new SavepointCompatibilityTest();
        try {
            writer.write(args[0]);
        } finally {
            writer.close();
        }
    }

    private void write(String path) throws Exception {
        harness = newHarness();
        harness.open();
        byte[] raw = new PublishedRules(1, "ana@laptop", T0, RULES).toJsonBytes();
        harness.processBroadcastElement(new RulesUpdate(raw, RULES_TOPIC, 0, 0), T0);
        feed(
                new Event("e-1", ALICE, "s1", T0, "page_view", "/checkout", null, null),
                friend("e-2", T0 + SECOND),
                friend("e-3", T0 + 2 * SECOND),
                click("e-4", T0 + 3 * SECOND, "#help"),
                click("e-5", T0 + 4 * SECOND, "#help"));
        harness.watermark(T0 + 5 * SECOND);
        assertThat(summary())
                .containsExactly("friends|alice|-|" + (T0 + 2_000) + " invite-friends delivered");
        // waiting for the watermark when the snapshot is taken
        feed(click("e-6", T0 + 6 * SECOND, "#help"), friend("e-7", T0 + 7 * SECOND));
        OperatorSnapshotUtil.writeStateHandle(harness.snapshot(1L, T0 + 5 * SECOND), path);
    }

    private static KeyedBroadcastOperatorTestHarness<String, Event, RulesUpdate, Trigger>
            newHarness() throws Exception {
        return new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(
                        new LiveRulesFunction(parse(NO_RULES), 0, DetectionSettings.defaults()),
                        List.of(LiveRulesFunction.LIVE_RULES)),
                e -> e.userId,
                Types.STRING,
                1,
                1,
                0);
    }

    private static RuleSet parse(String yaml) {
        try {
            return RulesParser.parse(yaml, "test rules");
        } catch (RuleValidationException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static Event click(String id, long ts, String target) {
        return new Event(id, ALICE, "s1", ts, "click", "/checkout", target, null);
    }

    private static Event friend(String id, long ts) {
        return new Event(id, ALICE, "s1", ts, "friend_added", "/friends", null, null);
    }

    private void feed(Event... events) throws Exception {
        for (Event e : events) {
            harness.processElement(e, e.ts);
        }
    }

    /** {@code triggerId guide status} per trigger, in output order. */
    private List<String> summary() {
        return harness.extractOutputValues().stream()
                .map(t -> t.triggerId + " " + t.guide + " " + t.status)
                .collect(Collectors.toList());
    }

    private <X> List<X> sideOutput(OutputTag<X> tag) {
        Queue<StreamRecord<X>> records = harness.getSideOutput(tag);
        return records == null
                ? List.of()
                : records.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }
}
