package io.guidance.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.guidance.event.Event;
import io.guidance.event.EventParser;
import io.guidance.event.Utf8;
import io.guidance.experiment.ExperimentRecord;
import io.guidance.experiment.ExperimentRecordJson;
import io.guidance.experiment.stats.ExperimentResult;
import io.guidance.experiment.stats.ExperimentStatistics;
import io.guidance.rules.Rule;
import io.guidance.rules.RuleSet;
import io.guidance.trigger.Trigger;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Reads triggers (the audit topic or a replay's output), feedback events and experiment records,
 * one at a time and in any order, and turns them into a {@link GuidanceReport}. Lines are taken as
 * text or bytes with their position, so a file and a topic go through the same checks: a bad one is
 * counted, its position kept, and the rest goes on.
 *
 * <p>A trigger id seen twice counts once (the audit topic is written at least once).
 */
public final class ReportCollector {
    static final String DELIVERED = Trigger.DELIVERED;

    public static final String GUIDE_SHOWN = "guide_shown";
    public static final String GUIDE_CLICKED = "guide_clicked";
    public static final String GUIDE_DISMISSED = "guide_dismissed";
    public static final String GUIDE_COMPLETED = "guide_completed";

    private static final List<String> FEEDBACK =
            List.of(GUIDE_SHOWN, GUIDE_CLICKED, GUIDE_DISMISSED, GUIDE_COMPLETED);

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final InputLines triggerLines = new InputLines("triggers");
    private final InputLines eventLines = new InputLines("events");
    private final InputLines recordLines = new InputLines("experiments");
    private final EventParser eventParser = new EventParser();

    /** triggerId -> (rule, guide) of every trigger read. */
    private final Map<String, RuleGuide> triggers = new HashMap<>();

    private final Map<String, RuleTally> rules = new TreeMap<>();

    /** triggerId -> feedback seen: a bit per feedback type, and the events that named it. */
    private final Map<String, long[]> feedback = new HashMap<>();

    private long feedbackWithoutTriggerId;
    private final ExperimentTally experiments = new ExperimentTally();

    private record RuleGuide(String ruleId, String guide) {}

    /** The running counts of one rule. */
    private static final class RuleTally {
        final Map<String, Long> byStatus = new TreeMap<>();
        final TreeMap<String, SortedMap<String, Long>> perDay = new TreeMap<>();
        final Set<String> reached = new HashSet<>();
        final Map<String, Long> deliveredPerUserDay = new HashMap<>();
        final Map<String, Map<String, Long>> statusByGuide = new TreeMap<>();
    }

    // ---- triggers

    public void addTrigger(Trigger t) {
        triggerLines.good();
        count(t);
    }

    /** One line of a replay's output or one audit record, as its bytes. */
    public void addTriggerLine(byte[] line, String where) {
        if (Utf8.firstInvalid(line) >= 0) {
            triggerLines.bad(where, "not UTF-8");
            return;
        }
        addTriggerLine(new String(line, StandardCharsets.UTF_8), where);
    }

    /** One line of a replay's output or one audit record; {@code where}: "line 7". */
    public void addTriggerLine(String json, String where) {
        JsonNode n;
        try {
            n = MAPPER.readTree(json);
        } catch (IOException e) {
            triggerLines.bad(where, "not JSON");
            return;
        }
        if (n == null || !n.isObject()) {
            triggerLines.bad(where, "not a JSON object");
            return;
        }
        for (String field : List.of("triggerId", "ruleId", "guide", "userId", "status")) {
            if (!n.path(field).isTextual()) {
                triggerLines.bad(where, "missing or not a string: " + field);
                return;
            }
        }
        if (!n.path("ts").isIntegralNumber()) {
            triggerLines.bad(where, "missing or not an integer: ts");
            return;
        }
        String status = n.get("status").asText();
        if (!status.equals(DELIVERED) && !status.startsWith(Trigger.SUPPRESSED_PREFIX)) {
            triggerLines.bad(where, "status is neither delivered nor suppressed:REASON");
            return;
        }
        Trigger t = new Trigger();
        t.triggerId = n.get("triggerId").asText();
        t.ruleId = n.get("ruleId").asText();
        t.guide = n.get("guide").asText();
        t.userId = n.get("userId").asText();
        t.status = status;
        t.ts = n.get("ts").asLong();
        t.variant = n.hasNonNull("variant") ? n.get("variant").asText() : null;
        addTrigger(t);
    }

    private void count(Trigger t) {
        if (triggers.putIfAbsent(t.triggerId, new RuleGuide(t.ruleId, t.guide)) != null) {
            return;
        }
        RuleTally r = rules.computeIfAbsent(t.ruleId, id -> new RuleTally());
        String day = Instant.ofEpochMilli(t.ts).atZone(ZoneOffset.UTC).toLocalDate().toString();
        r.byStatus.merge(t.status, 1L, Long::sum);
        r.perDay.computeIfAbsent(day, d -> new TreeMap<>()).merge(t.status, 1L, Long::sum);
        r.statusByGuide
                .computeIfAbsent(t.guide, g -> new TreeMap<>())
                .merge(t.status, 1L, Long::sum);
        if (t.isDelivered()) {
            r.reached.add(t.userId);
            r.deliveredPerUserDay.merge(t.userId + '\n' + day, 1L, Long::sum);
        }
    }

    // ---- events

    /** One event; only the feedback types count, the others are read and passed over. */
    public void addEvent(Event e) {
        eventLines.good();
        int type = FEEDBACK.indexOf(e.type);
        if (type < 0) {
            return;
        }
        String triggerId = e.props == null ? null : e.props.get("triggerId");
        if (triggerId == null) {
            feedbackWithoutTriggerId++;
            return;
        }
        long[] seen = feedback.computeIfAbsent(triggerId, id -> new long[2]);
        seen[0] |= 1L << type;
        seen[1]++;
    }

    /** One line of an events file or one record of the events topic, as its bytes. */
    public void addEventLine(byte[] bytes, String where) {
        EventParser.Result r = eventParser.parse(bytes);
        if (!r.ok()) {
            eventLines.bad(where, r.reason + (r.detail == null ? "" : " (" + r.detail + ")"));
            return;
        }
        addEvent(r.event);
    }

    // ---- experiment records

    public void addRecord(ExperimentRecord r) {
        recordLines.good();
        experiments.add(r);
    }

    /** One line of an experiments file or one record of the experiments topic, as its bytes. */
    public void addRecordLine(byte[] line, String where) {
        if (Utf8.firstInvalid(line) >= 0) {
            recordLines.bad(where, "not UTF-8");
            return;
        }
        addRecordLine(new String(line, StandardCharsets.UTF_8), where);
    }

    public void addRecordLine(String json, String where) {
        ExperimentRecord r;
        try {
            r = ExperimentRecordJson.fromJson(json);
        } catch (IllegalArgumentException e) {
            recordLines.bad(where, e.getMessage());
            return;
        }
        addRecord(r);
    }

    // ---- the report

    /** The report, with rules (may be null) giving the order of rules and the arms' shares. */
    public GuidanceReport report(RuleSet ruleSet) {
        Map<String, Boolean> order = new LinkedHashMap<>();
        if (ruleSet != null) {
            for (Rule r : ruleSet.rules) {
                order.put(r.id, true);
            }
        }
        for (String id : rules.keySet()) {
            order.putIfAbsent(id, false);
        }
        Map<String, long[]> funnelCounts = new HashMap<>(); // "rule\nguide" -> 4 counts
        long matched = 0;
        long unmatched = 0;
        for (Map.Entry<String, long[]> f : feedback.entrySet()) {
            RuleGuide rg = triggers.get(f.getKey());
            if (rg == null) {
                unmatched += f.getValue()[1];
                continue;
            }
            matched += f.getValue()[1];
            long[] c = funnelCounts.computeIfAbsent(rg.ruleId + '\n' + rg.guide, k -> new long[4]);
            for (int type = 0; type < FEEDBACK.size(); type++) {
                if ((f.getValue()[0] & (1L << type)) != 0) {
                    c[type]++;
                }
            }
        }
        List<RuleBacktest> backtests = new ArrayList<>();
        for (Map.Entry<String, Boolean> e : order.entrySet()) {
            backtests.add(backtest(e.getKey(), e.getValue(), funnelCounts));
        }
        List<ExperimentResult> results = new ArrayList<>();
        List<String> notInRules = new ArrayList<>();
        long unexposed = 0;
        for (ExperimentTally.Counts c : experiments.counts(ruleSet)) {
            unexposed += c.conversionsWithoutExposure();
            results.add(
                    ExperimentStatistics.analyse(
                            c.experiment(), c.salt(), c.controlArm(), c.arms()));
            if (!c.inRules()) {
                notInRules.add(c.experiment() + " (salt " + c.salt() + ")");
            }
        }
        return new GuidanceReport(
                backtests,
                results,
                notInRules,
                unexposed,
                matched,
                unmatched,
                feedbackWithoutTriggerId,
                List.of(triggerLines, recordLines, eventLines));
    }

    private RuleBacktest backtest(String ruleId, boolean inRules, Map<String, long[]> funnels) {
        RuleTally r = rules.getOrDefault(ruleId, new RuleTally());
        SortedMap<String, Long> suppressions = new TreeMap<>();
        long total = 0;
        for (Map.Entry<String, Long> s : r.byStatus.entrySet()) {
            total += s.getValue();
            if (s.getKey().startsWith(Trigger.SUPPRESSED_PREFIX)) {
                suppressions.put(
                        s.getKey().substring(Trigger.SUPPRESSED_PREFIX.length()), s.getValue());
            }
        }
        long maxPerUserDay =
                r.deliveredPerUserDay.values().stream().mapToLong(Long::longValue).max().orElse(0);
        List<GuideFunnel> guides = new ArrayList<>();
        for (Map.Entry<String, Map<String, Long>> g : r.statusByGuide.entrySet()) {
            long[] c = funnels.getOrDefault(ruleId + '\n' + g.getKey(), new long[4]);
            guides.add(
                    new GuideFunnel(
                            g.getKey(),
                            new TreeMap<>(g.getValue()),
                            g.getValue().getOrDefault(DELIVERED, 0L),
                            c[0],
                            c[1],
                            c[2],
                            c[3]));
        }
        return new RuleBacktest(
                ruleId,
                inRules,
                total,
                new TreeMap<>(r.byStatus),
                new TreeMap<>(r.perDay),
                r.reached.size(),
                maxPerUserDay,
                suppressions,
                guides);
    }
}
