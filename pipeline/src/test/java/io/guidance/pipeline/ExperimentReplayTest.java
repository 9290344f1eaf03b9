package io.guidance.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.Event;
import io.guidance.event.EventJson;
import io.guidance.experiment.Experiment;
import io.guidance.experiment.ExperimentRecord;
import io.guidance.local.importer.TaobaoImporter;
import io.guidance.pipeline.replay.Replay;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replay over the shipped Taobao sample with experiments (SPEC section 7) and the full delivery
 * policy (SPEC section 4 plus checks 5 and 6), checked against {@link SpecReading}: a plain reading
 * of those sections written apart from the job. It starts from the detection triggers of {@link
 * DatasetReplayTest.SpecReference} and the events, computes each user's arm with its own SHA-256
 * bucket, decides every trigger's status, and derives exposures and conversions. Nothing of the
 * job's experiment or policy code is used (not {@code Assignment}, not {@code Experiment.armOf}).
 *
 * <p>The rules are those of {@link DatasetReplayTest} with a tighter delivery block, a 10% program
 * holdout, a priority on {@code welcome-back} (which fires on the same event as {@code
 * short-return} and now goes first) and experiments on three rules: a stall (the SPEC's example), a
 * threshold (variants replace the nudge; the milestone keeps its guide and carries the arm) and a
 * burst with a salt of its own and another goal. A few {@code guide_dismissed} and {@code
 * guide_completed} events are added, at the instant and in the session of a real event, so they
 * change no detection and exercise check 1 with variant guides.
 */
class ExperimentReplayTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    static final long MINUTE = 60_000L;
    static final long HOUR = 60 * MINUTE;
    static final long DAY = 24 * HOUR;

    // ---- the delivery block, as written in RULES_YAML ----
    static final long MIN_GAP = 5 * MINUTE;
    static final int MAX_PER_DAY = 4;
    static final long COOLDOWN = 6 * HOUR;
    static final int HOLDOUT = 10;
    static final long GOAL_WINDOW = 3 * DAY;

    /**
     * DatasetReplayTest's rules in SPEC section 7's grammar: this test's delivery block with a 10%
     * program holdout, a priority on welcome-back, and experiment blocks on three rules.
     */
    static final String RULES_YAML =
            DatasetReplayTest.RULES
                    .replace(
                            "delivery: {ttl: 10m}",
                            "delivery: {ttl: 10m, minGap: 5m, maxPerDay: 4, cooldown: 6h,"
                                    + " holdout: 10, goal: {type: purchase}, goalWindow: 3d}")
                    .replace("    gap: 2d\n", "    gap: 2d\n    priority: 5\n")
                    .replace(
                            "  - id: category-burst\n",
                            """
                                experiment:
                                  variants: {checkout-help: 40, checkout-help-short: 40}
                                  control: 20
                                  goal: {type: purchase}
                                  window: 1d
                              - id: category-burst
                            """)
                    .replace(
                            "  - id: item-repeat\n",
                            """
                                experiment:
                                  variants: {compare-items: 30, compare-table: 30}
                                  control: 40
                                  goal: {type: add_to_cart}
                                  window: 12h
                                  salt: compare-2026
                              - id: item-repeat
                            """)
                    .replace(
                            "    reachedGuide: cart-pro\n",
                            """
                                reachedGuide: cart-pro
                                experiment:
                                  variants: {wishlist-tips: 50, wishlist-tips-v2: 30}
                                  control: 20
                                  goal: {type: purchase}
                                  window: 2d
                            """);

    @TempDir Path dir;

    @Test
    void theRuleTextIsTheDatasetRulesWithThisTestsDeliveryPriorityAndExperiments() {
        assertThat(RULES_YAML)
                .containsOnlyOnce("holdout: 10, goal: {type: purchase}, goalWindow: 3d}")
                .containsOnlyOnce("gap: 2d\n    priority: 5\n")
                .containsOnlyOnce("within: 30m\n    experiment:\n")
                .containsOnlyOnce("within: 2m\n    experiment:\n")
                .containsOnlyOnce("reachedGuide: cart-pro\n    experiment:\n");
    }

    /** The job reads the rule text as the oracle's constants say (the parser is not the oracle). */
    @Test
    void theParsedRulesAreTheOnesTheOracleReads() throws Exception {
        RuleSet rules = rules();
        assertThat(rules.delivery.minGapMs).isEqualTo(MIN_GAP);
        assertThat(rules.delivery.maxPerDay).isEqualTo(MAX_PER_DAY);
        assertThat(rules.delivery.cooldownMs).isEqualTo(COOLDOWN);
        assertThat(rules.delivery.holdout).isEqualTo(HOLDOUT);
        assertThat(rules.delivery.goalWindowMs).isEqualTo(GOAL_WINDOW);
        for (io.guidance.rules.Rule r : rules.rules) {
            assertThat(r.priority)
                    .as("priority of %s", r.id)
                    .isEqualTo(SpecReading.PRIORITY.getOrDefault(r.id, 0));
            assertThat(rules.cooldownOf(r)).as("cooldown of %s", r.id).isEqualTo(COOLDOWN);
        }
        assertThat(rules.experiments.keySet())
                .containsExactlyInAnyOrder("cart-stall", "cart-habit", "category-burst");
        for (OracleExperiment x : SpecReading.EXPERIMENTS) {
            if (x.name().equals("program")) {
                continue;
            }
            Experiment parsed = rules.experimentOf(x.name());
            assertThat(parsed.salt).as("salt of %s", x.name()).isEqualTo(x.salt());
            assertThat(parsed.variants)
                    .as("variants of %s", x.name())
                    .containsExactlyEntriesOf(x.variants());
            assertThat(parsed.control).as("control of %s", x.name()).isEqualTo(x.control());
            assertThat(parsed.windowMs).as("window of %s", x.name()).isEqualTo(x.windowMs());
        }
    }

    @Test
    void theOraclesBucketIsTheFirstEightBytesOfSha256UnsignedModuloTenThousand() {
        // computed apart, with `printf 'SALT:USER' | sha256sum`, the first 16 hex digits read as
        // an unsigned integer modulo 10000; three have the top bit set, where a signed reading
        // would differ
        assertThat(SpecReading.bucket("holdout", "tb-1")).isEqualTo(3822); // 449bca6a0b64632e
        assertThat(SpecReading.bucket("cart-stall", "tb-1")).isEqualTo(4884); // adfbc897ec4933f4
        assertThat(SpecReading.bucket("compare-2026", "tb-1")).isEqualTo(9690); // 9486aa22f803044a
        assertThat(SpecReading.bucket("holdout", "tb-100")).isEqualTo(9948); // c305f5163d8346cc
        assertThat(SpecReading.bucket("cart-stall", "tb-100")).isEqualTo(1054); // 6a8ed9bf8540ca0e
        assertThat(SpecReading.bucket("holdout", "tb-1000")).isEqualTo(4230); // 539f8d24efd520b6
    }

    @Test
    void taobaoReplayMatchesTheSpecReadingTriggerByTriggerAndRecordByRecord() throws Exception {
        List<Event> events =
                withFeedback(
                        new TaobaoImporter()
                                .readSorted(
                                        DatasetReplayTest.SAMPLES.resolve("taobao-sample.csv")));
        Path file = dir.resolve("taobao-experiments.jsonl");
        Files.write(
                file,
                events.stream().map(EventJson::toJson).collect(Collectors.toList()),
                StandardCharsets.UTF_8);

        Replay.Outcome outcome =
                Replay.run(Replay.readRecords(file), rules(), JobConfig.defaults());
        SpecReading expected =
                new SpecReading(new DatasetReplayTest.SpecReference().run(events), events);

        // ---- triggers: guide, variant and status, trigger by trigger ----
        List<String> expectedTriggers =
                expected.decided.stream().map(Decided::signature).sorted().toList();
        List<String> actualTriggers =
                outcome.triggers.stream()
                        .map(
                                t ->
                                        signature(
                                                t.triggerId,
                                                t.guide,
                                                t.variant == null ? "-" : t.variant,
                                                t.status))
                        .sorted()
                        .toList();
        assertThat(actualTriggers)
                .as("first difference: %s", firstDifference(expectedTriggers, actualTriggers))
                .hasSameSizeAs(expectedTriggers)
                .containsExactlyElementsOf(expectedTriggers);

        // ---- experiment records, exactly ----
        List<String> expectedRecords =
                expected.records.stream().map(ExperimentReplayTest::tuple).sorted().toList();
        List<String> actualRecords =
                outcome.experiments.stream().map(ExperimentReplayTest::tuple).sorted().toList();
        assertThat(actualRecords)
                .as("first difference: %s", firstDifference(expectedRecords, actualRecords))
                .hasSameSizeAs(expectedRecords)
                .containsExactlyElementsOf(expectedRecords);
        assertThat(outcome.experiments)
                .as("sorted by ts, userId, experiment, record")
                .isSortedAccordingTo(
                        Comparator.<ExperimentRecord>comparingLong(r -> r.ts)
                                .thenComparing(r -> r.userId)
                                .thenComparing(r -> r.experiment)
                                .thenComparing(r -> r.record));

        // ---- exposed and converted users per experiment and arm ----
        Map<String, int[]> expectedTally = tally(expected.records);
        Map<String, int[]> actualTally = tally(outcome.experiments);
        assertThat(format(actualTally)).isEqualTo(format(expectedTally));

        // ---- the comparison is not between empty lists ----
        for (OracleExperiment x : SpecReading.EXPERIMENTS) {
            for (String arm : x.arms()) {
                assertThat(expectedTally.get(x.name + "/" + arm))
                        .as("exposures in %s arm %s", x.name, arm)
                        .isNotNull()
                        .satisfies(c -> assertThat(c[0]).isPositive());
            }
            assertThat(expected.records)
                    .as("conversions in %s", x.name)
                    .anyMatch(r -> r.experiment.equals(x.name) && "conversion".equals(r.record));
        }
        Map<String, Long> byStatus =
                expected.decided.stream()
                        .collect(
                                Collectors.groupingBy(
                                        d -> d.status, TreeMap::new, Collectors.counting()));
        assertThat(byStatus)
                .as("every status occurs")
                .containsOnlyKeys(
                        "delivered",
                        "suppressed:dismissed",
                        "suppressed:cooldown",
                        "suppressed:min_gap",
                        "suppressed:daily_cap",
                        "suppressed:holdout",
                        "suppressed:control");
        assertThat(expected.decided)
                .as("a milestone in the control arm is held back with its own guide")
                .anyMatch(
                        d ->
                                d.guide.equals("cart-pro")
                                        && d.variant.equals("control")
                                        && d.status.equals("suppressed:control"));
        assertThat(expected.decided)
                .as("a variant guide is dismissed")
                .anyMatch(
                        d ->
                                !d.variant.equals("-")
                                        && !d.variant.equals("control")
                                        && d.status.equals("suppressed:dismissed"));
    }

    // ---- the rule set ----

    /** The rules as the job takes them. */
    static RuleSet rules() throws Exception {
        return RulesParser.parse(RULES_YAML, "experiment rules");
    }

    // ---- feedback events ----

    static final List<String> DISMISSED_GUIDES =
            List.of(
                    "checkout-help-short",
                    "compare-table",
                    "whats-new",
                    "pick-up-where-you-left",
                    "wishlist-tips-v2",
                    "compare-items",
                    "item-questions",
                    "checkout-help");

    /**
     * Every third user (in order of first appearance) dismisses, or for every fourth such user
     * completes, a guide right after their 10th event: same user, session and ts, so no rule's
     * detection changes (not a start, progress, match or action; not a new session; no gap).
     */
    static List<Event> withFeedback(List<Event> sorted) {
        Map<String, Integer> userIndex = new LinkedHashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        List<Event> out = new ArrayList<>(sorted.size() + 64);
        int added = 0;
        for (Event e : sorted) {
            out.add(e);
            int index = userIndex.computeIfAbsent(e.userId, u -> userIndex.size());
            int n = seen.merge(e.userId, 1, Integer::sum);
            if (n == 10 && index % 3 == 0) {
                String guide = DISMISSED_GUIDES.get((index / 3) % DISMISSED_GUIDES.size());
                String type = (index / 3) % 4 == 3 ? "guide_completed" : "guide_dismissed";
                out.add(
                        new Event(
                                "fb-" + added++,
                                e.userId,
                                e.sessionId,
                                e.ts,
                                type,
                                null,
                                null,
                                Map.of("guide", guide)));
            }
        }
        return out;
    }

    // ---- comparison helpers ----

    static String signature(String triggerId, String guide, String variant, String status) {
        return triggerId + " guide=" + guide + " variant=" + variant + " status=" + status;
    }

    static String tuple(ExperimentRecord r) {
        return String.join(
                " ",
                r.experiment,
                r.salt,
                r.arm,
                r.userId,
                r.record,
                "ts=" + r.ts,
                "exposedAt=" + r.exposedAt,
                "triggerId=" + r.triggerId);
    }

    static String tuple(OracleRecord r) {
        return String.join(
                " ",
                r.experiment,
                r.salt,
                r.arm,
                r.userId,
                r.record,
                "ts=" + r.ts,
                "exposedAt=" + r.exposedAt,
                "triggerId=" + r.triggerId);
    }

    /** experiment/arm -> {exposed users, converted users}. */
    static Map<String, int[]> tally(List<?> records) {
        Map<String, int[]> out = new TreeMap<>();
        for (Object o : records) {
            String experiment;
            String arm;
            String record;
            if (o instanceof ExperimentRecord r) {
                experiment = r.experiment;
                arm = r.arm;
                record = r.record;
            } else {
                OracleRecord r = (OracleRecord) o;
                experiment = r.experiment;
                arm = r.arm;
                record = r.record;
            }
            int[] c = out.computeIfAbsent(experiment + "/" + arm, k -> new int[2]);
            c[record.equals("exposure") ? 0 : 1]++;
        }
        return out;
    }

    static String format(Map<String, int[]> tally) {
        return tally.entrySet().stream()
                .map(
                        e ->
                                e.getKey()
                                        + " exposed="
                                        + e.getValue()[0]
                                        + " converted="
                                        + e.getValue()[1])
                .collect(Collectors.joining("\n"));
    }

    static String firstDifference(List<String> expected, List<String> actual) {
        int n = Math.min(expected.size(), actual.size());
        for (int i = 0; i < n; i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                return "expected " + expected.get(i) + " but was " + actual.get(i);
            }
        }
        if (expected.size() != actual.size()) {
            return expected.size() > n
                    ? "missing " + expected.get(n)
                    : "unexpected " + actual.get(n);
        }
        return "none";
    }

    // ---- the plain reading of SPEC sections 4 and 7 ----

    /** An experiment as written: variants in YAML order, then control. */
    record OracleExperiment(
            String name,
            String salt,
            LinkedHashMap<String, Integer> variants,
            int control,
            String controlArm,
            String goalType,
            long windowMs) {
        static OracleExperiment of(
                String name,
                String salt,
                String v1,
                int s1,
                String v2,
                int s2,
                int control,
                String goalType,
                long windowMs) {
            LinkedHashMap<String, Integer> variants = new LinkedHashMap<>();
            variants.put(v1, s1);
            variants.put(v2, s2);
            return new OracleExperiment(
                    name, salt, variants, control, "control", goalType, windowMs);
        }

        List<String> arms() {
            List<String> arms = new ArrayList<>(variants.keySet());
            arms.add(controlArm);
            return arms;
        }

        /**
         * "arm i covers [100 * (sum of the shares before i), 100 * (sum of the shares up to i))".
         */
        String armOf(String userId) {
            int bucket = SpecReading.bucket(salt, userId);
            int upTo = 0;
            for (Map.Entry<String, Integer> v : variants.entrySet()) {
                upTo += v.getValue();
                if (bucket < 100 * upTo) {
                    return v.getKey();
                }
            }
            return controlArm;
        }
    }

    /** One detection trigger after the experiment and the policy. */
    static final class Decided {
        String triggerId;
        String ruleId;
        String userId;
        long ts;
        int priority;
        String guide;
        String variant = "-";
        String status;

        String signature() {
            return ExperimentReplayTest.signature(triggerId, guide, variant, status);
        }
    }

    /** A record as SPEC section 7 lists its fields. */
    record OracleRecord(
            String experiment,
            String salt,
            String arm,
            String userId,
            String record,
            long ts,
            long exposedAt,
            String triggerId) {}

    /**
     * SPEC sections 4 and 7 for {@link #rules()}, from the reference's detection triggers ({@code
     * ruleId|userId|sessionId|ts guide[ count=N]}) and the events.
     */
    static final class SpecReading {
        static final List<OracleExperiment> EXPERIMENTS =
                List.of(
                        OracleExperiment.of(
                                "cart-stall",
                                "cart-stall",
                                "checkout-help",
                                40,
                                "checkout-help-short",
                                40,
                                20,
                                "purchase",
                                DAY),
                        OracleExperiment.of(
                                "cart-habit",
                                "cart-habit",
                                "wishlist-tips",
                                50,
                                "wishlist-tips-v2",
                                30,
                                20,
                                "purchase",
                                2 * DAY),
                        OracleExperiment.of(
                                "category-burst",
                                "compare-2026",
                                "compare-items",
                                30,
                                "compare-table",
                                30,
                                40,
                                "add_to_cart",
                                12 * HOUR),
                        // the program: arms treated and holdout; "holdout" is the bottom of
                        // bucket("holdout", userId)
                        new OracleExperiment(
                                "program",
                                "holdout",
                                new LinkedHashMap<>(Map.of("treated", 100 - HOLDOUT)),
                                HOLDOUT,
                                "holdout",
                                "purchase",
                                GOAL_WINDOW));

        /** The nudge guide of each threshold rule: only it is replaced by a variant. */
        static final Map<String, String> THRESHOLD_NUDGE =
                Map.of("cart-habit", "wishlist-tips", "purchase-milestone", "buy-again");

        static final Map<String, Integer> PRIORITY = Map.of("welcome-back", 5);

        final List<Decided> decided = new ArrayList<>();
        final List<OracleRecord> records = new ArrayList<>();

        SpecReading(List<String> detected, List<Event> events) {
            Map<String, List<Decided>> byUser = new TreeMap<>();
            for (String s : detected) {
                Decided d = parse(s);
                byUser.computeIfAbsent(d.userId, u -> new ArrayList<>()).add(d);
            }
            Map<String, List<Event>> eventsByUser = new HashMap<>();
            for (Event e : events) {
                eventsByUser.computeIfAbsent(e.userId, u -> new ArrayList<>()).add(e);
            }
            for (Map.Entry<String, List<Decided>> u : byUser.entrySet()) {
                List<Event> mine = eventsByUser.get(u.getKey());
                decide(u.getKey(), u.getValue(), mine);
                expose(u.getKey(), u.getValue(), mine);
                decided.addAll(u.getValue());
            }
        }

        /**
         * "ruleId|userId|sessionId|ts guide[ count=N]", with the experiment's arm and guide (SPEC
         * 7: "the trigger gets variant ... and guide").
         */
        private static Decided parse(String s) {
            String[] parts = s.split(" ");
            String[] id = parts[0].split("\\|");
            Decided d = new Decided();
            d.triggerId = parts[0];
            d.ruleId = id[0];
            d.userId = id[1];
            d.ts = Long.parseLong(id[3]);
            d.priority = PRIORITY.getOrDefault(d.ruleId, 0);
            d.guide = parts[1];
            OracleExperiment x = experimentOf(d.ruleId);
            if (x != null) {
                d.variant = x.armOf(d.userId);
                boolean milestone =
                        THRESHOLD_NUDGE.containsKey(d.ruleId)
                                && !THRESHOLD_NUDGE.get(d.ruleId).equals(d.guide);
                if (!milestone && !d.variant.equals("control")) {
                    d.guide = d.variant;
                }
            }
            return d;
        }

        private static OracleExperiment experimentOf(String ruleId) {
            for (OracleExperiment x : EXPERIMENTS) {
                if (x.name.equals(ruleId)) {
                    return x;
                }
            }
            return null;
        }

        /**
         * SPEC 4 and 7: in ts order, equal ts higher priority first then rule id; the first failing
         * check names the status; held-back triggers count as delivered.
         */
        private static void decide(String userId, List<Decided> triggers, List<Event> events) {
            // a stable sort: triggers of one rule at one instant (two purchases in the same
            // second, each a nudge) stay in the order of their events, SPEC section 2's "equal ts
            // keep input order"
            triggers.sort(
                    Comparator.<Decided>comparingLong(d -> d.ts)
                            .thenComparing(
                                    Comparator.<Decided>comparingInt(d -> d.priority).reversed())
                            .thenComparing(d -> d.ruleId));
            boolean inHoldout = bucket("holdout", userId) < 100 * HOLDOUT;
            List<Long> counted = new ArrayList<>();
            Map<String, Long> lastOfGuide = new HashMap<>();
            for (Decided d : triggers) {
                String reason;
                if (dismissedBefore(events, d.guide, d.ts)) {
                    reason = "dismissed";
                } else if (lastOfGuide.containsKey(d.guide)
                        && d.ts - lastOfGuide.get(d.guide) < COOLDOWN) {
                    reason = "cooldown";
                } else if (counted.stream().anyMatch(c -> d.ts - c < MIN_GAP)) {
                    reason = "min_gap";
                } else if (counted.stream().filter(c -> d.ts - c < DAY).count() >= MAX_PER_DAY) {
                    reason = "daily_cap";
                } else if (inHoldout) {
                    reason = "holdout";
                } else if (d.variant.equals("control")) {
                    reason = "control";
                } else {
                    reason = null;
                }
                d.status = reason == null ? "delivered" : "suppressed:" + reason;
                if (reason == null || reason.equals("holdout") || reason.equals("control")) {
                    counted.add(d.ts);
                    lastOfGuide.put(d.guide, d.ts);
                }
            }
        }

        private static boolean dismissedBefore(List<Event> events, String guide, long ts) {
            for (Event e : events) {
                if ((e.type.equals("guide_dismissed") || e.type.equals("guide_completed"))
                        && e.props != null
                        && guide.equals(e.props.get("guide"))
                        && e.ts < ts) {
                    return true;
                }
            }
            return false;
        }

        /** SPEC 7, exposure and conversion, once per experiment and user. */
        private void expose(String userId, List<Decided> triggers, List<Event> events) {
            boolean inHoldout = bucket("holdout", userId) < 100 * HOLDOUT;
            for (OracleExperiment x : EXPERIMENTS) {
                boolean program = x.name.equals("program");
                if (!program && inHoldout) {
                    continue; // "Holdout users are not in rule experiments."
                }
                for (Decided d : triggers) {
                    boolean exposes =
                            program
                                    ? d.status.equals("delivered")
                                            || d.status.equals("suppressed:control")
                                            || d.status.equals("suppressed:holdout")
                                    : d.ruleId.equals(x.name)
                                            && (d.status.equals("delivered")
                                                    || d.status.equals("suppressed:control"));
                    if (!exposes) {
                        continue;
                    }
                    String arm = program ? (inHoldout ? "holdout" : "treated") : d.variant;
                    records.add(
                            new OracleRecord(
                                    x.name,
                                    x.salt,
                                    arm,
                                    userId,
                                    "exposure",
                                    d.ts,
                                    d.ts,
                                    d.triggerId));
                    for (Event e : events) {
                        if (e.type.equals(x.goalType) && e.ts > d.ts && e.ts <= d.ts + x.windowMs) {
                            records.add(
                                    new OracleRecord(
                                            x.name,
                                            x.salt,
                                            arm,
                                            userId,
                                            "conversion",
                                            e.ts,
                                            d.ts,
                                            null));
                            break;
                        }
                    }
                    break;
                }
            }
        }

        /**
         * SPEC 7: the first 8 bytes of SHA-256 of {@code salt + ":" + userId} (UTF-8), unsigned
         * big-endian, modulo 10000.
         */
        static int bucket(String salt, String userId) {
            try {
                byte[] digest =
                        MessageDigest.getInstance("SHA-256")
                                .digest((salt + ":" + userId).getBytes(StandardCharsets.UTF_8));
                return new BigInteger(1, Arrays.copyOf(digest, 8))
                        .mod(BigInteger.valueOf(10_000))
                        .intValueExact();
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
