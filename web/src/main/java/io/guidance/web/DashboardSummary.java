package io.guidance.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.guidance.experiment.Experiment;
import io.guidance.experiment.stats.ArmCounts;
import io.guidance.experiment.stats.ArmResult;
import io.guidance.experiment.stats.ExperimentResult;
import io.guidance.experiment.stats.ExperimentResultJson;
import io.guidance.experiment.stats.ExperimentStatistics;
import io.guidance.trigger.Trigger;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * What the dashboard shows, read from the hashes the job keeps in Redis: per experiment ({@code
 * {prefix}:experiment:{name}}) the arms' counts with the results of {@link ExperimentStatistics},
 * the same numbers {@code guidance report} prints; per rule ({@code {prefix}:funnel:{ruleId}}) the
 * triggers by status and the guide funnel. Read-only.
 *
 * <p>Keys are found with SCAN (never KEYS, which blocks Redis); since a production keyspace holds a
 * key per user, the walk is repeated only every {@link #KEY_REFRESH}, and each poll reads just the
 * hashes already found.
 */
final class DashboardSummary {
    /** How often the keyspace is walked again for new experiments and rules. */
    static final Duration KEY_REFRESH = Duration.ofSeconds(10);

    /** Totals not updated for longer than this are flagged on the page. */
    static final Duration STALE_AFTER = Duration.ofMinutes(2);

    /** The most hashes of one kind shown per prefix: bounds the work of a poll. */
    static final int MAX_KEYS = 200;

    private static final int SCAN_COUNT = 1000;

    /** The trigger statuses of SPEC sections 4 and 7, in the order the page stacks them. */
    static final List<String> STATUSES =
            List.of(
                    Trigger.DELIVERED,
                    "suppressed:dismissed",
                    "suppressed:cooldown",
                    "suppressed:min_gap",
                    "suppressed:daily_cap",
                    "suppressed:holdout",
                    "suppressed:control");

    /** The feedback of SPEC section 7's guide funnel, each counted once per trigger id. */
    static final List<String> FEEDBACK = List.of("shown", "clicked", "dismissed", "completed");

    private final RedisClient redis;
    private final List<String> prefixes;
    private final LongSupplier clock;
    private final ObjectMapper mapper = new ObjectMapper();

    private final Map<String, Set<String>> experimentKeys = new LinkedHashMap<>();
    private final Map<String, Set<String>> funnelKeys = new LinkedHashMap<>();
    private long keysFoundAt = Long.MIN_VALUE;

    DashboardSummary(RedisClient redis, List<String> prefixes, LongSupplier clock) {
        this.redis = redis;
        this.prefixes = List.copyOf(prefixes);
        this.clock = clock;
    }

    /**
     * {@code {"now", "staleAfterMs", "sources": [{"prefix", "experiments": [...], "funnels":
     * [...]}]}}.
     */
    synchronized ObjectNode summary() {
        long now = clock.getAsLong();
        if (now - keysFoundAt >= KEY_REFRESH.toMillis() || keysFoundAt == Long.MIN_VALUE) {
            for (String prefix : prefixes) {
                experimentKeys.put(prefix, scan(prefix + ":experiment:"));
                funnelKeys.put(prefix, scan(prefix + ":funnel:"));
            }
            keysFoundAt = now;
        }
        ObjectNode root = mapper.createObjectNode();
        root.put("now", now);
        root.put("staleAfterMs", STALE_AFTER.toMillis());
        ArrayNode sources = root.putArray("sources");
        for (String prefix : prefixes) {
            ObjectNode source = sources.addObject();
            source.put("prefix", prefix);
            ArrayNode experiments = source.putArray("experiments");
            String experimentPrefix = prefix + ":experiment:";
            for (String key : experimentKeys.get(prefix)) {
                Map<String, String> hash = redis.hgetAll(key);
                if (!hash.isEmpty()) {
                    experiments.add(experiment(key.substring(experimentPrefix.length()), hash));
                }
            }
            ArrayNode funnels = source.putArray("funnels");
            String funnelPrefix = prefix + ":funnel:";
            for (String key : funnelKeys.get(prefix)) {
                Map<String, String> hash = redis.hgetAll(key);
                if (!hash.isEmpty()) {
                    funnels.add(funnel(key.substring(funnelPrefix.length()), hash));
                }
            }
        }
        return root;
    }

    /** The keys starting with {@code keyPrefix}, sorted, at most {@link #MAX_KEYS}. */
    private Set<String> scan(String keyPrefix) {
        ScanParams params = new ScanParams().match(globEscape(keyPrefix) + "*").count(SCAN_COUNT);
        Set<String> keys = new TreeSet<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = redis.scan(cursor, params);
            keys.addAll(page.getResult());
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START) && keys.size() < MAX_KEYS);
        Set<String> bounded = new LinkedHashSet<>();
        for (String k : keys) {
            if (bounded.size() == MAX_KEYS) {
                break;
            }
            bounded.add(k);
        }
        return bounded;
    }

    /** A prefix taken literally in a SCAN MATCH pattern. */
    static String globEscape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    // --- experiments
    // ----------------------------------------------------------------------------------------------

    /**
     * One experiment: the element of {@code report.json} ({@link ExperimentResultJson}) that {@link
     * ExperimentStatistics} makes of the hash's counts, plus {@code controlArm}, {@code
     * sharesKnown}, {@code updatedAt} and, per arm, the Wald 95% interval of its rate ({@code
     * rateCi95}).
     */
    ObjectNode experiment(String name, Map<String, String> hash) {
        String salt = hash.getOrDefault("salt", "");
        String controlArm = hash.get("controlArm");
        if (controlArm == null || controlArm.isBlank()) {
            controlArm = Experiment.PROGRAM.equals(name) ? Experiment.HOLDOUT : Experiment.CONTROL;
        }
        List<ArmCounts> arms = new ArrayList<>();
        boolean sharesKnown = true;
        List<String> names = list(hash.get("arms"));
        // a configured arm nobody was exposed in yet has a share but no counts: it still counts
        // in the sample ratio check, as in guidance report
        for (String field : new TreeSet<>(hash.keySet())) {
            if (field.endsWith(":share")) {
                String arm = field.substring(0, field.length() - ":share".length());
                if (!arm.isEmpty() && !names.contains(arm)) {
                    names.add(arm);
                }
            }
        }
        // variants first and the control arm last, as the rules write them and the report lists
        // them (the hash lists arms in the order first seen)
        if (names.remove(controlArm)) {
            names.add(controlArm);
        }
        for (String arm : names) {
            long exposed = count(hash.get(arm + ":exposed"));
            // only exposed users convert; a torn read must not fail the whole page
            long converted = Math.min(count(hash.get(arm + ":converted")), exposed);
            Integer share = share(hash.get(arm + ":share"));
            if (share == null) {
                sharesKnown = false;
            }
            arms.add(new ArmCounts(arm, share == null ? 0 : share, exposed, converted));
        }
        if (!sharesKnown) {
            // an arm's share of 0 means "listed, not compared": without every share, nothing is
            arms.replaceAll(a -> new ArmCounts(a.arm(), 0, a.exposed(), a.converted()));
        }
        ExperimentResult result = ExperimentStatistics.analyse(name, salt, controlArm, arms);
        ObjectNode node;
        try {
            node = (ObjectNode) mapper.readTree(ExperimentResultJson.toJson(List.of(result)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ObjectNode x = (ObjectNode) node.get("experiments").get(0);
        x.put("controlArm", controlArm);
        x.put("sharesKnown", sharesKnown);
        putUpdatedAt(x, hash);
        ArrayNode armNodes = (ArrayNode) x.get("arms");
        for (int i = 0; i < armNodes.size(); i++) {
            ArmResult a = result.arms().get(i);
            if (a.rate() != null) {
                double half =
                        ExperimentStatistics.Z95
                                * Math.sqrt(a.rate() * (1 - a.rate()) / a.exposed());
                ArrayNode ci = ((ObjectNode) armNodes.get(i)).putArray("rateCi95");
                ci.add(a.rate() - half);
                ci.add(a.rate() + half);
            }
        }
        return x;
    }

    // --- funnels
    // --------------------------------------------------------------------------------------------------

    /**
     * One rule: per guide the triggers by status ({@code statuses}, every status of {@link
     * #STATUSES} and any other the hash names), {@code triggered} (their sum) and the feedback
     * counts of {@link #FEEDBACK}.
     */
    ObjectNode funnel(String ruleId, Map<String, String> hash) {
        Map<String, Map<String, Long>> statuses = new LinkedHashMap<>();
        Map<String, Map<String, Long>> feedback = new LinkedHashMap<>();
        for (String guide : list(hash.get("guides"))) {
            statuses.put(guide, new LinkedHashMap<>());
            feedback.put(guide, new LinkedHashMap<>());
        }
        for (Map.Entry<String, String> f : new TreeMap<>(hash).entrySet()) {
            int slash = f.getKey().indexOf('/');
            if (slash <= 0) {
                continue;
            }
            String guide = f.getKey().substring(0, slash);
            String what = f.getKey().substring(slash + 1);
            statuses.computeIfAbsent(guide, g -> new LinkedHashMap<>());
            feedback.computeIfAbsent(guide, g -> new LinkedHashMap<>());
            if (FEEDBACK.contains(what)) {
                feedback.get(guide).put(what, count(f.getValue()));
            } else {
                statuses.get(guide).put(what, count(f.getValue()));
            }
        }
        ObjectNode rule = mapper.createObjectNode();
        rule.put("rule", ruleId);
        putUpdatedAt(rule, hash);
        ArrayNode guides = rule.putArray("guides");
        for (String guide : statuses.keySet()) {
            ObjectNode g = guides.addObject();
            g.put("guide", guide);
            ObjectNode byStatus = g.putObject("statuses");
            Map<String, Long> counted = statuses.get(guide);
            long triggered = 0;
            for (String s : STATUSES) {
                long n = counted.getOrDefault(s, 0L);
                byStatus.put(s, n);
                triggered += n;
            }
            for (Map.Entry<String, Long> other : counted.entrySet()) {
                if (!STATUSES.contains(other.getKey())) {
                    byStatus.put(other.getKey(), other.getValue());
                    triggered += other.getValue();
                }
            }
            g.put("triggered", triggered);
            for (String f : FEEDBACK) {
                g.put(f, feedback.get(guide).getOrDefault(f, 0L));
            }
        }
        return rule;
    }

    // --- fields
    // ---------------------------------------------------------------------------------------------------

    private static void putUpdatedAt(ObjectNode node, Map<String, String> hash) {
        String s = hash.get("updatedAt");
        if (s != null) {
            try {
                node.put("updatedAt", Long.parseLong(s.trim()));
            } catch (NumberFormatException e) {
                // shown as unknown
            }
        }
    }

    private static List<String> list(String commaSeparated) {
        List<String> out = new ArrayList<>();
        if (commaSeparated != null) {
            for (String s : commaSeparated.split(",")) {
                if (!s.isBlank() && !out.contains(s.trim())) {
                    out.add(s.trim());
                }
            }
        }
        return out;
    }

    /** A count; anything but a non-negative integer counts 0. */
    private static long count(String s) {
        if (s == null) {
            return 0;
        }
        try {
            return Math.max(0, Long.parseLong(s.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** A share in percent, or null when absent or not 0-100. */
    private static Integer share(String s) {
        if (s == null) {
            return null;
        }
        try {
            int v = Integer.parseInt(s.trim());
            return v >= 0 && v <= 100 ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
