package io.guidance.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.DeadLetter;
import io.guidance.event.Event;
import io.guidance.event.OutputTags;
import io.guidance.experiment.ExperimentRecord;
import io.guidance.rules.PublishedRules;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RuleValidationException;
import io.guidance.rules.RulesParser;
import io.guidance.rules.RulesUpdate;
import io.guidance.trigger.Trigger;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.stream.Collectors;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LiveRulesFunction} in Flink's keyed broadcast harness: events keyed by user on one input,
 * published rule sets (the rules topic's records) on the broadcast input. SPEC section 3: rules
 * change while the job runs, a running job keeps its last valid rules when a bad set arrives; the
 * function's contract adds that versions only go up, a change applies to the state already
 * collected, a new rule starts empty, a removed rule's state is released for every key and {@code
 * enabled: false} keeps state but fires nothing.
 *
 * <p>Events wait for the watermark, so each step feeds events, then advances both inputs' watermark
 * past them. Every story starts with a page view at {@link #T0}, so firstSeen is T0 for threshold
 * rules.
 */
class LiveRulesFunctionTest {
    static final long T0 = 1_700_000_000_000L;
    static final long SECOND = 1_000L;
    static final long MINUTE = 60 * SECOND;
    static final long TEN_DAYS_MS = 864_000_000L;
    static final String ALICE = "alice";
    static final String BOB = "bob";
    static final String RULES_TOPIC = "guidance-rules";
    static final char SEP = '\u001f';

    /**
     * Delivery loose enough that no trigger of these stories is suppressed: each assertion is about
     * detection. A 1 s gap and cooldown, triggers a minute apart.
     */
    static final String HEADER =
            "version: 1\ndelivery: {ttl: 10m, minGap: 1s, cooldown: 1s, maxPerDay: 1000}\nrules:\n";

    /** Target 7, nudges from 4: SPEC's example. */
    static final String SEVEN_FRIENDS = threshold("seven-friends", 7, 4);

    static final String CHECKOUT_STALL =
            """
              - id: checkout-stall
                guide: checkout-help
                kind: stall
                start: {type: page_view, page: /checkout}
                progress: [{type: page_view}, {type: click, target: "#pay"}]
                within: 8s
            """;
    static final String RAGE_CLICK =
            """
              - id: rage-click
                guide: help-widget
                kind: burst
                match: {type: click}
                sameField: target
                count: 3
                within: 1s
            """;
    static final String WELCOME_BACK =
            """
              - id: welcome-back
                guide: whats-new
                kind: comeback
                gap: 14d
            """;

    private KeyedBroadcastOperatorTestHarness<String, Event, RulesUpdate, Trigger> harness;
    private int nextEventId;
    private long nextOffset;

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    // ---- (a) a changed value applies to the state already collected ----

    @Test
    void aLoweredTargetAppliesToTheCountAlreadyCollected() throws Exception {
        harness = start(SEVEN_FRIENDS);
        feed(view(ALICE, T0));
        for (int i = 1; i <= 5; i++) {
            feed(friend(ALICE, T0 + i * MINUTE));
        }
        advanceTo(T0 + 6 * MINUTE);
        // counts 1..5 against target 7, band [4, 7): nudges at 4 and 5
        assertThat(summary())
                .containsExactly(
                        "seven-friends|alice|-|"
                                + (T0 + 4 * MINUTE)
                                + " invite-friends count=4 target=7",
                        "seven-friends|alice|-|"
                                + (T0 + 5 * MINUTE)
                                + " invite-friends count=5 target=7");

        publish(2, SEVEN_FRIENDS.replace("target: 7", "target: 6"));
        feed(friend(ALICE, T0 + 10 * MINUTE));
        advanceTo(T0 + 11 * MINUTE);

        // the sixth friend: 6 >= the new target 6, so the milestone, not a nudge at 6 of 7
        List<Trigger> out = triggers();
        assertThat(out).hasSize(3);
        Trigger reached = out.get(2);
        assertThat(reached.triggerId).isEqualTo("seven-friends|alice|-|" + (T0 + 10 * MINUTE));
        assertThat(reached.guide).isEqualTo("friends-milestone");
        assertThat(reached.status).isEqualTo(Trigger.DELIVERED);
        assertThat(reached.reason)
                .containsEntry("count", "6")
                .containsEntry("target", "6")
                .containsEntry("sinceFirstSeen", Long.toString(TEN_DAYS_MS))
                .containsEntry("firstSeen", Long.toString(T0))
                .containsEntry("reached", "true");
        assertThat(deadLetters()).isEmpty();
        assertThat(broadcastVersion()).isEqualTo("2");
    }

    @Test
    void aRaisedNudgeBandAppliesToTheNextEvent() throws Exception {
        harness = start(SEVEN_FRIENDS);
        feed(view(ALICE, T0));
        for (int i = 1; i <= 4; i++) {
            feed(friend(ALICE, T0 + i * MINUTE));
        }
        advanceTo(T0 + 5 * MINUTE);
        assertThat(summary())
                .containsExactly(
                        "seven-friends|alice|-|"
                                + (T0 + 4 * MINUTE)
                                + " invite-friends count=4 target=7");

        // target 10, nudges from 6: the fifth friend (count 5) is below the new band, the sixth is
        // in it
        publish(
                2,
                SEVEN_FRIENDS
                        .replace("target: 7", "target: 10")
                        .replace("nudgeFrom: 4", "nudgeFrom: 6"));
        feed(friend(ALICE, T0 + 10 * MINUTE), friend(ALICE, T0 + 11 * MINUTE));
        advanceTo(T0 + 12 * MINUTE);
        assertThat(summary())
                .containsExactly(
                        "seven-friends|alice|-|"
                                + (T0 + 4 * MINUTE)
                                + " invite-friends count=4 target=7",
                        "seven-friends|alice|-|"
                                + (T0 + 11 * MINUTE)
                                + " invite-friends count=6 target=10");
    }

    // ---- (b) a new rule starts empty ----

    @Test
    void aNewRuleStartsEmpty() throws Exception {
        harness = start(SEVEN_FRIENDS);
        feed(view(ALICE, T0));
        for (int i = 1; i <= 5; i++) {
            feed(friend(ALICE, T0 + i * MINUTE));
        }
        advanceTo(T0 + 6 * MINUTE);
        assertThat(triggers()).hasSize(2); // the nudges at 4 and 5 of 7

        // a second rule on the same action: target 2, nudges from 1. It has counted nothing of the
        // five friends.
        publish(
                2,
                SEVEN_FRIENDS
                        + threshold("two-friends", 2, 1)
                                .replace("guide: invite-friends", "guide: first-friends")
                                .replace(
                                        "reachedGuide: friends-milestone",
                                        "reachedGuide: two-friends"));
        assertThat(thresholdCounts(ALICE)).containsOnlyKeys("seven-friends");

        feed(friend(ALICE, T0 + 10 * MINUTE));
        advanceTo(T0 + 10 * MINUTE + 1);
        // two-friends counts 1 (in its band [1, 2): a nudge), not 6 (its milestone); seven-friends
        // goes on at 6 of 7
        assertThat(summary())
                .containsExactly(
                        "seven-friends|alice|-|"
                                + (T0 + 4 * MINUTE)
                                + " invite-friends count=4 target=7",
                        "seven-friends|alice|-|"
                                + (T0 + 5 * MINUTE)
                                + " invite-friends count=5 target=7",
                        "seven-friends|alice|-|"
                                + (T0 + 10 * MINUTE)
                                + " invite-friends count=6 target=7",
                        "two-friends|alice|-|"
                                + (T0 + 10 * MINUTE)
                                + " first-friends count=1 target=2");
        // SPEC section 4: at one instant, equal priority, rule id order; the second is within
        // minGap of the first
        assertThat(triggers())
                .extracting(t -> t.status)
                .containsExactly(
                        Trigger.DELIVERED,
                        Trigger.DELIVERED,
                        Trigger.DELIVERED,
                        "suppressed:min_gap");
        assertThat(thresholdCounts(ALICE).get("two-friends").count).isEqualTo(1);

        feed(friend(ALICE, T0 + 11 * MINUTE));
        advanceTo(T0 + 11 * MINUTE + 1);
        // second friend since the rule arrived: two-friends reaches 2; seven-friends reaches 7
        assertThat(summary().subList(4, 6))
                .containsExactly(
                        "seven-friends|alice|-|"
                                + (T0 + 11 * MINUTE)
                                + " friends-milestone count=7 target=7",
                        "two-friends|alice|-|"
                                + (T0 + 11 * MINUTE)
                                + " two-friends count=2 target=2");
    }

    @Test
    void aNewNudgingRuleDoesNotTakeAnOngoingSessionForANewOne() throws Exception {
        // v1 has no threshold rule; alice's session s1 is under way when v2 adds one that nudges
        // from 0
        harness = start(CHECKOUT_STALL);
        feed(event(ALICE, "s1", T0, "page_view", "/home", null));
        advanceTo(T0 + SECOND);

        publish(
                2,
                CHECKOUT_STALL
                        + threshold("first-friend", 1, 0)
                                .replace("    reachedGuide: friends-milestone\n", ""));
        // SPEC: the nudge is for "the user's first event with a sessionId not seen before"; s1 was
        // seen at T0
        feed(event(ALICE, "s1", T0 + 10 * SECOND, "page_view", "/home", null));
        advanceTo(T0 + 11 * SECOND);
        assertThat(triggers()).isEmpty();

        // a session that was never seen is new: count 0 is in the band [0, 1)
        feed(event(ALICE, "s2", T0 + 20 * SECOND, "page_view", "/home", null));
        advanceTo(T0 + 21 * SECOND);
        assertThat(triggers()).hasSize(1);
        Trigger nudge = triggers().get(0);
        assertThat(nudge.triggerId).isEqualTo("first-friend|alice|-|" + (T0 + 20 * SECOND));
        assertThat(nudge.reason).containsEntry("count", "0").containsEntry("newSession", "\"s2\"");
    }

    // ---- (c) a removed rule releases its state for every key ----

    @Test
    void aRemovedRuleReleasesItsStateForEveryKeyAndItsPendingStallFiresNothing() throws Exception {
        harness = start(CHECKOUT_STALL + RAGE_CLICK + SEVEN_FRIENDS + WELCOME_BACK);
        for (String user : List.of(ALICE, BOB)) {
            // a stall wait open until T0 + 8 s, a burst group of one click, a threshold count of 2
            feed(
                    event(user, "s1", T0, "page_view", "/checkout", null),
                    event(user, "s1", T0 + SECOND, "click", "/checkout", "#coupon"),
                    friend(user, T0 + 2 * SECOND),
                    friend(user, T0 + 3 * SECOND));
        }
        advanceTo(T0 + 4 * SECOND);
        assertThat(triggers()).isEmpty();
        for (String user : List.of(ALICE, BOB)) {
            assertThat(stallDeadlines(user))
                    .containsExactly(Map.entry("checkout-stall" + SEP + "s1", T0 + 8 * SECOND));
            assertThat(burstGroups(user))
                    .containsOnlyKeys("rage-click" + SEP + "s1" + SEP + "#coupon");
            assertThat(thresholdCounts(user)).containsOnlyKeys("seven-friends");
            assertThat(thresholdCounts(user).get("seven-friends").count).isEqualTo(2);
        }
        int entriesBefore = keyedStateEntries();

        // v2 keeps only welcome-back
        publish(2, WELCOME_BACK);
        for (String user : List.of(ALICE, BOB)) {
            assertThat(stallDeadlines(user)).as(user + "'s stall waits").isEmpty();
            assertThat(burstGroups(user)).as(user + "'s burst groups").isEmpty();
            assertThat(thresholdCounts(user)).as(user + "'s threshold counts").isEmpty();
        }
        // per user, the threshold counts of the removed rule were one map state entry (the heap
        // backend counts one per
        // key and state); emptied, it is gone: 2 users x 1. The stall waits and burst groups live
        // in the user's inbox,
        // which stays for the user's other state
        assertThat(keyedStateEntries()).isEqualTo(entriesBefore - 2);

        // the deadline passes: the removed stall fires nothing
        advanceTo(T0 + 20 * SECOND);
        assertThat(triggers()).isEmpty();
        // and the removed rules see nothing more: two more clicks on #coupon would have been a
        // burst of 3
        feed(
                event(ALICE, "s1", T0 + 21 * SECOND, "click", "/checkout", "#coupon"),
                event(ALICE, "s1", T0 + 21 * SECOND + 100, "click", "/checkout", "#coupon"),
                event(ALICE, "s1", T0 + 21 * SECOND + 200, "click", "/checkout", "#coupon"));
        advanceTo(T0 + 30 * SECOND);
        assertThat(triggers()).isEmpty();
        assertThat(burstGroups(ALICE)).isEmpty();
    }

    @Test
    void aRuleRemovedAndAddedAgainStartsOver() throws Exception {
        harness = start(SEVEN_FRIENDS + WELCOME_BACK);
        feed(view(ALICE, T0));
        for (int i = 1; i <= 5; i++) {
            feed(friend(ALICE, T0 + i * MINUTE));
        }
        advanceTo(T0 + 6 * MINUTE);
        assertThat(triggers()).hasSize(2);

        publish(2, WELCOME_BACK);
        publish(3, SEVEN_FRIENDS + WELCOME_BACK);
        feed(friend(ALICE, T0 + 10 * MINUTE));
        advanceTo(T0 + 11 * MINUTE);
        // count 1 (the five before were released with the rule): below the band, nothing
        assertThat(triggers()).hasSize(2);
        assertThat(thresholdCounts(ALICE).get("seven-friends").count).isEqualTo(1);
    }

    // ---- (d) enabled: false ----

    @Test
    void aDisabledRuleKeepsItsStateAndFiresNothing() throws Exception {
        harness = start(SEVEN_FRIENDS + CHECKOUT_STALL);
        feed(view(ALICE, T0));
        for (int i = 1; i <= 3; i++) {
            feed(friend(ALICE, T0 + i * MINUTE));
        }
        advanceTo(T0 + 4 * MINUTE);
        assertThat(triggers()).isEmpty(); // 1..3, below the band [4, 7)

        publish(2, disabled(SEVEN_FRIENDS) + disabled(CHECKOUT_STALL));
        assertThat(thresholdCounts(ALICE).get("seven-friends").count).as("kept").isEqualTo(3);
        // friends 4 and 5 would nudge; a checkout view left alone would stall at + 8 s
        feed(
                friend(ALICE, T0 + 5 * MINUTE),
                friend(ALICE, T0 + 6 * MINUTE),
                event(ALICE, "s1", T0 + 7 * MINUTE, "page_view", "/checkout", null));
        advanceTo(T0 + 8 * MINUTE);
        assertThat(triggers()).isEmpty();
        // the disabled rule is muted, not frozen: it went on counting
        assertThat(thresholdCounts(ALICE).get("seven-friends").count).isEqualTo(5);

        publish(3, SEVEN_FRIENDS + CHECKOUT_STALL);
        feed(friend(ALICE, T0 + 9 * MINUTE));
        advanceTo(T0 + 10 * MINUTE);
        assertThat(summary())
                .containsExactly(
                        "seven-friends|alice|-|"
                                + (T0 + 9 * MINUTE)
                                + " invite-friends count=6 target=7");
    }

    // ---- (e) invalid rule sets ----

    @Test
    void anInvalidRuleSetIsDeadLetteredAndTheOldRulesKeepWorking() throws Exception {
        harness = start(SEVEN_FRIENDS);
        feed(view(ALICE, T0));
        for (int i = 1; i <= 3; i++) {
            feed(friend(ALICE, T0 + i * MINUTE));
        }
        advanceTo(T0 + 4 * MINUTE);

        byte[] notJson =
                "target: 2 (this is not a published rule set)".getBytes(StandardCharsets.UTF_8);
        // valid JSON, and the YAML inside has three problems: an impossible target, nudgeFrom >=
        // target, a stray field
        String badYaml =
                SEVEN_FRIENDS
                                .replace("target: 7", "target: 0")
                                .replace("nudgeFrom: 4", "nudgeFrom: 1")
                        + "    colour: blue\n";
        byte[] badRules = new PublishedRules(2, "ana@laptop", T0, HEADER + badYaml).toJsonBytes();
        byte[] notAnObject = "[1, 2, 3]".getBytes(StandardCharsets.UTF_8);
        byte[] noVersion = "{\"rules\": \"rules: []\"}".getBytes(StandardCharsets.UTF_8);
        long firstOffset = nextOffset;
        for (byte[] raw : List.of(notJson, badRules, notAnObject, noVersion)) {
            harness.processBroadcastElement(new RulesUpdate(raw, RULES_TOPIC, 0, nextOffset++), T0);
        }

        List<DeadLetter> dead = deadLetters();
        assertThat(dead).hasSize(4);
        assertThat(dead).extracting(d -> d.reason).containsOnly(DeadLetter.BAD_RULES);
        assertThat(dead)
                .extracting(d -> d.raw)
                .containsExactly(notJson, badRules, notAnObject, noVersion);
        assertThat(dead).extracting(d -> d.sourceTopic).containsOnly(RULES_TOPIC);
        assertThat(dead)
                .extracting(d -> d.sourceOffset)
                .containsExactly(firstOffset, firstOffset + 1, firstOffset + 2, firstOffset + 3);
        assertThat(dead.get(0).detail).contains("not JSON");
        // every problem of the bad YAML, each with its rule id and field
        assertThat(dead.get(1).detail)
                .contains("rule 'seven-friends', field 'target'")
                .contains("rule 'seven-friends', field 'nudgeFrom'")
                .contains("colour");
        assertThat(broadcastVersion()).as("nothing applied").isNull();

        // the rules of the start still apply: the fourth friend nudges at 4 of 7
        feed(friend(ALICE, T0 + 10 * MINUTE));
        advanceTo(T0 + 11 * MINUTE);
        assertThat(summary())
                .containsExactly(
                        "seven-friends|alice|-|"
                                + (T0 + 10 * MINUTE)
                                + " invite-friends count=4 target=7");
    }

    @Test
    void anInvalidSetAfterAValidOneKeepsTheLastValidOne() throws Exception {
        harness = start(SEVEN_FRIENDS);
        feed(view(ALICE, T0));
        advanceTo(T0 + SECOND);
        publish(
                2,
                SEVEN_FRIENDS
                        .replace("target: 7", "target: 2")
                        .replace("nudgeFrom: 4", "nudgeFrom: 1"));
        byte[] bad =
                new PublishedRules(
                                3,
                                "ana@laptop",
                                T0,
                                HEADER + SEVEN_FRIENDS.replace("kind: threshold", "kind: magic"))
                        .toJsonBytes();
        harness.processBroadcastElement(new RulesUpdate(bad, RULES_TOPIC, 0, nextOffset++), T0);
        assertThat(deadLetters()).extracting(d -> d.reason).containsExactly(DeadLetter.BAD_RULES);
        assertThat(broadcastVersion()).isEqualTo("2");

        // version 2 in force: the first friend nudges at 1 of 2, the second reaches 2
        feed(friend(ALICE, T0 + MINUTE), friend(ALICE, T0 + 2 * MINUTE));
        advanceTo(T0 + 3 * MINUTE);
        assertThat(summary())
                .containsExactly(
                        "seven-friends|alice|-|"
                                + (T0 + MINUTE)
                                + " invite-friends count=1 target=2",
                        "seven-friends|alice|-|"
                                + (T0 + 2 * MINUTE)
                                + " friends-milestone count=2 target=2");
    }

    @Test
    void aBadSetIsDeadLetteredOnceThoughEveryTaskRejectsIt() throws Exception {
        // the second of two tasks: it sees every broadcast record as the first does
        harness =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                new LiveRulesFunction(
                                        rules(SEVEN_FRIENDS), 0, DetectionSettings.defaults()),
                                List.of(LiveRulesFunction.LIVE_RULES)),
                        e -> e.userId,
                        Types.STRING,
                        128,
                        2,
                        1);
        harness.setup();
        harness.open();
        feed(view(ALICE, T0));
        for (int i = 1; i <= 3; i++) {
            feed(friend(ALICE, T0 + i * MINUTE));
        }
        advanceTo(T0 + 4 * MINUTE);

        harness.processBroadcastElement(
                new RulesUpdate(
                        "not json".getBytes(StandardCharsets.UTF_8), RULES_TOPIC, 0, nextOffset++),
                T0);
        harness.processBroadcastElement(
                new RulesUpdate(
                        new PublishedRules(
                                        2,
                                        "ana",
                                        T0,
                                        HEADER + SEVEN_FRIENDS.replace("target: 7", "target: 0"))
                                .toJsonBytes(),
                        RULES_TOPIC,
                        0,
                        nextOffset++),
                T0);
        // the first task reports them (the test above); this one rejects them without a second dead
        // letter
        assertThat(deadLetters()).isEmpty();
        assertThat(broadcastVersion()).isNull();
        feed(friend(ALICE, T0 + 10 * MINUTE));
        advanceTo(T0 + 11 * MINUTE);
        assertThat(summary())
                .containsExactly(
                        "seven-friends|alice|-|"
                                + (T0 + 10 * MINUTE)
                                + " invite-friends count=4 target=7");
    }

    // ---- (f) versions only go up ----

    @Test
    void anOlderOrEqualVersionIsIgnored() throws Exception {
        harness = start(SEVEN_FRIENDS);
        feed(view(ALICE, T0));
        advanceTo(T0 + SECOND);

        publish(3, SEVEN_FRIENDS.replace("target: 7", "target: 5")); // band [4, 5)
        publish(2, SEVEN_FRIENDS.replace("target: 7", "target: 9")); // older: ignored
        publish(3, SEVEN_FRIENDS.replace("target: 7", "target: 6")); // same version again: ignored
        assertThat(deadLetters()).as("old is not bad").isEmpty();
        assertThat(broadcastVersion()).isEqualTo("3");
        assertThat(harness.getBroadcastState(LiveRulesFunction.LIVE_RULES).get("rules"))
                .contains("target: 5");

        for (int i = 1; i <= 5; i++) {
            feed(friend(ALICE, T0 + i * MINUTE));
        }
        advanceTo(T0 + 6 * MINUTE);
        // target 5: a nudge at 4, the milestone at 5 (with 9 or 6, 5 would be another nudge)
        assertThat(summary())
                .containsExactly(
                        "seven-friends|alice|-|"
                                + (T0 + 4 * MINUTE)
                                + " invite-friends count=4 target=5",
                        "seven-friends|alice|-|"
                                + (T0 + 5 * MINUTE)
                                + " friends-milestone count=5 target=5");
    }

    @Test
    void anOlderVersionDoesNotBringBackARemovedRule() throws Exception {
        harness = start(SEVEN_FRIENDS + WELCOME_BACK);
        feed(view(ALICE, T0), friend(ALICE, T0 + MINUTE));
        advanceTo(T0 + 2 * MINUTE);
        publish(5, WELCOME_BACK);
        publish(
                4,
                threshold("seven-friends", 2, 1)
                        + WELCOME_BACK); // would reach its target at the second friend
        feed(friend(ALICE, T0 + 3 * MINUTE));
        advanceTo(T0 + 4 * MINUTE);
        assertThat(triggers()).isEmpty();
        assertThat(thresholdCounts(ALICE)).isEmpty();
    }

    // ---- (g) rules survive a snapshot and restore ----

    @Test
    void afterARestoreTheChangedRulesApplyThoughTheFunctionWasBuiltWithTheOldOnes()
            throws Exception {
        harness = start(SEVEN_FRIENDS);
        feed(view(ALICE, T0));
        for (int i = 1; i <= 5; i++) {
            feed(friend(ALICE, T0 + i * MINUTE));
        }
        advanceTo(T0 + 6 * MINUTE);
        publish(2, SEVEN_FRIENDS.replace("target: 7", "target: 6") + RAGE_CLICK);
        assertThat(triggers()).hasSize(2);

        OperatorSubtaskState snapshot = harness.snapshot(1L, T0 + 6 * MINUTE);
        harness.close();

        // a new function built with the rules of the start (target 7, no rage-click) as version 0,
        // as a job is
        harness =
                new KeyedBroadcastOperatorTestHarness<>(
                        new CoBroadcastWithKeyedOperator<>(
                                new LiveRulesFunction(
                                        rules(SEVEN_FRIENDS), 0, DetectionSettings.defaults()),
                                List.of(LiveRulesFunction.LIVE_RULES)),
                        e -> e.userId,
                        Types.STRING,
                        1,
                        1,
                        0);
        harness.setup();
        harness.initializeState(snapshot);
        harness.open();
        assertThat(broadcastVersion()).isEqualTo("2");

        // the burst rule that version 2 added: three clicks on #help within 1 s
        for (int i = 1; i <= 3; i++) {
            feed(event(ALICE, "s1", T0 + 8 * MINUTE + 100 * i, "click", "/x", "#help"));
        }
        feed(friend(ALICE, T0 + 10 * MINUTE));
        advanceTo(T0 + 11 * MINUTE);
        // the sixth friend reaches target 6 (version 2), not a nudge at 6 of 7
        assertThat(summary())
                .containsExactly(
                        "rage-click|alice|s1|"
                                + (T0 + 8 * MINUTE + 300)
                                + " help-widget count=3 target=null",
                        "seven-friends|alice|-|"
                                + (T0 + 10 * MINUTE)
                                + " friends-milestone count=6 target=6");
        assertThat(triggers()).extracting(t -> t.status).containsOnly(Trigger.DELIVERED);

        // a version not newer than the restored one is still ignored after the restore
        publish(2, SEVEN_FRIENDS.replace("target: 7", "target: 5"));
        assertThat(harness.getBroadcastState(LiveRulesFunction.LIVE_RULES).get("rules"))
                .contains("target: 6");
    }

    // ---- (h) experiments change with the rules (SPEC section 7, docs/experiments.md) ----

    /** rage-click with an experiment: help-widget and help-short, shares and salt as given. */
    static String rageClickExperiment(int widget, int shortHelp, String salt) {
        return RAGE_CLICK
                + "    experiment:\n"
                + "      variants: {help-widget: "
                + widget
                + ", help-short: "
                + shortHelp
                + "}\n"
                + "      goal: {type: purchase}\n"
                + "      window: 1d\n"
                + "      salt: "
                + salt
                + "\n";
    }

    @Test
    void aChangedShareMovesLaterTriggersButNotTheExposureANewSaltStartsAnotherExperiment()
            throws Exception {
        // alice's buckets: below 5000 for salt "v1" (help-widget in 50/50), computed from the
        // SPEC's words in ExperimentDeliveryTest
        String user = firstUser(b -> b < 5000, "v1");
        harness = start(rageClickExperiment(50, 50, "v1"));
        rage(user, T0);
        advanceTo(T0 + MINUTE);
        publish(2, rageClickExperiment(0, 100, "v1"));
        rage(user, T0 + 2 * MINUTE);
        advanceTo(T0 + 3 * MINUTE);
        publish(3, rageClickExperiment(0, 100, "v2"));
        rage(user, T0 + 4 * MINUTE);
        advanceTo(T0 + 5 * MINUTE);

        assertThat(triggers())
                .extracting(t -> t.variant + " " + t.guide + " " + t.status)
                .containsExactly(
                        "help-widget help-widget delivered",
                        // the new shares apply to the next trigger: every user is help-short now
                        "help-short help-short delivered",
                        "help-short help-short delivered");
        assertThat(experimentRecords())
                .containsExactly(
                        // exposure is once per experiment and user: the first arm stays
                        "exposure rage-click/v1 help-widget @0",
                        // a new salt is a new experiment: a new exposure
                        "exposure rage-click/v2 help-short @" + 4 * MINUTE);
    }

    private static String firstUser(java.util.function.IntPredicate bucket, String salt)
            throws Exception {
        for (int i = 0; ; i++) {
            if (bucket.test(ExperimentDeliveryTest.bucket(salt, "u" + i))) {
                return "u" + i;
            }
        }
    }

    /** Three clicks on #help within a second, the last at {@code ts}: rage-click fires at ts. */
    private void rage(String user, long ts) throws Exception {
        for (int i = 2; i >= 0; i--) {
            feed(event(user, "s1", ts - 100 * i, "click", "/x", "#help"));
        }
    }

    List<String> experimentRecords() {
        Queue<StreamRecord<ExperimentRecord>> records =
                harness.getSideOutput(OutputTags.EXPERIMENTS);
        return records == null
                ? List.of()
                : records.stream()
                        .map(StreamRecord::getValue)
                        .map(
                                r ->
                                        r.record
                                                + " "
                                                + r.experiment
                                                + "/"
                                                + r.salt
                                                + " "
                                                + r.arm
                                                + " @"
                                                + (r.ts - T0))
                        .collect(Collectors.toList());
    }

    // ---- helpers ----

    static String threshold(String id, int target, int nudgeFrom) {
        return "  - id: "
                + id
                + "\n"
                + "    guide: invite-friends\n"
                + "    kind: threshold\n"
                + "    action: {type: friend_added}\n"
                + "    target: "
                + target
                + "\n"
                + "    window: {sinceFirstSeen: 10d}\n"
                + "    nudgeFrom: "
                + nudgeFrom
                + "\n"
                + "    reachedGuide: friends-milestone\n";
    }

    static String disabled(String rule) {
        return rule + "    enabled: false\n";
    }

    static RuleSet rules(String body) {
        try {
            return RulesParser.parse(HEADER + body, "test rules");
        } catch (RuleValidationException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    static KeyedBroadcastOperatorTestHarness<String, Event, RulesUpdate, Trigger> start(String body)
            throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                new LiveRulesFunction(rules(body), 0, DetectionSettings.defaults()),
                e -> e.userId,
                Types.STRING,
                LiveRulesFunction.LIVE_RULES);
    }

    /** A rule set as the rules topic carries it, on the broadcast input. */
    void publish(long version, String body) throws Exception {
        rules(body); // the test's own rule sets are valid
        byte[] raw = new PublishedRules(version, "ana@laptop", T0, HEADER + body).toJsonBytes();
        harness.processBroadcastElement(new RulesUpdate(raw, RULES_TOPIC, 0, nextOffset++), T0);
    }

    Event event(String user, String session, long ts, String type, String page, String target) {
        return new Event("e-" + (++nextEventId), user, session, ts, type, page, target, null);
    }

    Event view(String user, long ts) {
        return event(user, "s1", ts, "page_view", "/home", null);
    }

    Event friend(String user, long ts) {
        return event(user, "s1", ts, "friend_added", "/friends", null);
    }

    void feed(Event... events) throws Exception {
        for (Event e : events) {
            harness.processElement(e, e.ts);
        }
    }

    /** Both inputs: the rules input carries no event time of its own in the job either. */
    void advanceTo(long watermark) throws Exception {
        harness.watermark(watermark);
    }

    List<Trigger> triggers() {
        return harness.extractOutputValues();
    }

    /** {@code triggerId guide count=N target=N} per trigger, in output order; delivered or not. */
    List<String> summary() {
        return triggers().stream()
                .map(
                        t ->
                                t.triggerId
                                        + " "
                                        + t.guide
                                        + " count="
                                        + t.reason.get("count")
                                        + " target="
                                        + t.reason.get("target"))
                .collect(Collectors.toList());
    }

    List<DeadLetter> deadLetters() {
        Queue<StreamRecord<DeadLetter>> records = harness.getSideOutput(OutputTags.DEAD_LETTERS);
        return records == null
                ? List.of()
                : records.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    String broadcastVersion() throws Exception {
        return harness.getBroadcastState(LiveRulesFunction.LIVE_RULES).get("version");
    }

    int keyedStateEntries() {
        KeyedStateBackend<?> backend = harness.getOperator().getKeyedStateBackend();
        return ((HeapKeyedStateBackend<?>) backend).numKeyValueStateEntries();
    }

    /**
     * One user's inbox, which holds the open stall waits and burst groups; an empty one when the
     * user has none.
     */
    Inbox inbox(String user) throws Exception {
        KeyedStateBackend<String> backend = harness.getOperator().getKeyedStateBackend();
        backend.setCurrentKey(user);
        Inbox in =
                backend.getPartitionedState(
                                VoidNamespace.INSTANCE,
                                VoidNamespaceSerializer.INSTANCE,
                                new ValueStateDescriptor<>(
                                        StateNames.INBOX, Types.POJO(Inbox.class)))
                        .value();
        return in == null ? new Inbox() : in;
    }

    Map<String, Long> stallDeadlines(String user) throws Exception {
        return inbox(user).stallDeadlines();
    }

    Map<String, List<Long>> burstGroups(String user) throws Exception {
        return inbox(user).burstGroups();
    }

    Map<String, ThresholdCount> thresholdCounts(String user) throws Exception {
        return mapState(
                user, StateNames.THRESHOLD_COUNTS, Types.STRING, Types.POJO(ThresholdCount.class));
    }

    /**
     * A copy of one user's map state, by the name the function registers; empty when the user has
     * none.
     */
    <K, V> Map<K, V> mapState(
            String user, String name, TypeInformation<K> keys, TypeInformation<V> values)
            throws Exception {
        KeyedStateBackend<String> backend = harness.getOperator().getKeyedStateBackend();
        backend.setCurrentKey(user);
        MapState<K, V> state =
                backend.getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        new MapStateDescriptor<>(name, keys, values));
        Map<K, V> copy = new LinkedHashMap<>();
        Iterable<Map.Entry<K, V>> entries = state.entries();
        if (entries != null) {
            for (Map.Entry<K, V> e : entries) {
                copy.put(e.getKey(), e.getValue());
            }
        }
        return copy;
    }
}
