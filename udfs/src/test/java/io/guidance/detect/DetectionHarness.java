package io.guidance.detect;

import io.guidance.event.Event;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RuleValidationException;
import io.guidance.rules.RulesParser;
import io.guidance.trigger.Trigger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.stream.Collectors;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.OutputTag;

/**
 * The {@link DetectionFunction} in Flink's keyed harness, keyed by user, with event time driven by
 * watermarks, plus the small builders and look-ups the rule-kind tests share. Events are only
 * evaluated once the watermark passes their ts, so a test feeds a story and then advances time.
 */
final class DetectionHarness implements AutoCloseable {
    /**
     * 2023-11-14T22:13:20Z: 20 s past a whole minute, so that rounding cleanup timers up is
     * visible.
     */
    static final long T0 = 1_700_000_000_000L;

    static final long SECOND = 1_000L;
    static final long MINUTE = 60 * SECOND;
    static final long HOUR = 60 * MINUTE;
    static final long DAY = 24 * HOUR;

    static final String ALICE = "alice";
    static final String BOB = "bob";

    /** The job's defaults: dedup 1 h, session timeout 30 min, user retention 90 days. */
    static final DetectionSettings DEFAULTS = DetectionSettings.defaults();

    final KeyedOneInputStreamOperatorTestHarness<String, Event, Trigger> harness;
    private int nextEventId;

    private DetectionHarness(
            KeyedOneInputStreamOperatorTestHarness<String, Event, Trigger> harness) {
        this.harness = harness;
    }

    static DetectionHarness of(String rulesYaml) throws Exception {
        return of(rulesYaml, DEFAULTS);
    }

    static DetectionHarness of(String rulesYaml, DetectionSettings settings) throws Exception {
        return of(rules(rulesYaml), settings);
    }

    static DetectionHarness of(RuleSet rules, DetectionSettings settings) throws Exception {
        return new DetectionHarness(
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                        new DetectionFunction(rules, settings), e -> e.userId, Types.STRING));
    }

    /**
     * The rules of a test: rule entries (indented as list items under {@code rules:}) after a fixed
     * header.
     */
    static RuleSet rules(String rulesYaml) {
        try {
            return RulesParser.parse(
                    "version: 1\ndelivery: {ttl: 10m}\nrules:\n" + rulesYaml, "test rules");
        } catch (RuleValidationException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    // ---- building events ----

    Event event(String user, String session, long ts, String type, String page, String target) {
        return event(user, session, ts, type, page, target, null);
    }

    Event event(
            String user,
            String session,
            long ts,
            String type,
            String page,
            String target,
            Map<String, String> props) {
        return new Event("e-" + (++nextEventId), user, session, ts, type, page, target, props);
    }

    // ---- driving time ----

    void feed(Event... events) throws Exception {
        for (Event e : events) {
            harness.processElement(e, e.ts);
        }
    }

    void feed(List<Event> events) throws Exception {
        feed(events.toArray(new Event[0]));
    }

    void advanceTo(long watermark) throws Exception {
        harness.processWatermark(watermark);
    }

    // ---- what came out ----

    List<Trigger> triggers() {
        return harness.extractOutputValues();
    }

    List<String> triggerIds() {
        return triggers().stream().map(t -> t.triggerId).collect(Collectors.toList());
    }

    <X> List<X> sideOutput(OutputTag<X> tag) {
        Queue<StreamRecord<X>> records = harness.getSideOutput(tag);
        return records == null
                ? List.of()
                : records.stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    int stateEntries() {
        return harness.numKeyedStateEntries();
    }

    int timers() {
        return harness.numEventTimeTimers();
    }

    // ---- looking into one user's state, by the names the function registers ----

    /** A copy of one user's map state; empty when the user has none. */
    <K, V> Map<K, V> mapState(
            String user, String name, TypeInformation<K> keys, TypeInformation<V> values)
            throws Exception {
        MapState<K, V> state =
                backend(user)
                        .getPartitionedState(
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

    /** One user's value state, or null. */
    <T> T valueState(String user, String name, TypeInformation<T> type) throws Exception {
        ValueState<T> state =
                backend(user)
                        .getPartitionedState(
                                VoidNamespace.INSTANCE,
                                VoidNamespaceSerializer.INSTANCE,
                                new ValueStateDescriptor<>(name, type));
        return state.value();
    }

    Map<String, List<Long>> burstGroups(String user) throws Exception {
        Inbox in = inbox(user);
        return in == null ? Map.of() : in.burstGroups();
    }

    Map<String, LoopWindow> loopWindows(String user) throws Exception {
        Inbox in = inbox(user);
        return in == null ? Map.of() : in.loopWindows();
    }

    Map<String, ThresholdCount> thresholdCounts(String user) throws Exception {
        return mapState(
                user, StateNames.THRESHOLD_COUNTS, Types.STRING, Types.POJO(ThresholdCount.class));
    }

    /**
     * One user's inbox (waiting events, timer, sweep, sessions, stall waits, first/last seen), or
     * null.
     */
    Inbox inbox(String user) throws Exception {
        return valueState(user, StateNames.INBOX, Types.POJO(Inbox.class));
    }

    Map<String, Long> sessions(String user) throws Exception {
        Inbox in = inbox(user);
        return in == null ? Map.of() : in.sessions();
    }

    /** Every session id of the user, kept while a rule asks about session starts. */
    Map<String, Long> sessionIds(String user) throws Exception {
        return mapState(user, StateNames.USER_SESSIONS, Types.STRING, Types.LONG);
    }

    UserActivity activity(String user) throws Exception {
        Inbox in = inbox(user);
        return in == null ? null : in.activity;
    }

    private KeyedStateBackend<String> backend(String user) {
        KeyedStateBackend<String> backend = harness.getOperator().getKeyedStateBackend();
        backend.setCurrentKey(user);
        return backend;
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }
}
