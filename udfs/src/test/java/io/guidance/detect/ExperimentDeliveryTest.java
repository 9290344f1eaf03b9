package io.guidance.detect;

import static io.guidance.detect.DetectionHarness.DAY;
import static io.guidance.detect.DetectionHarness.MINUTE;
import static io.guidance.detect.DetectionHarness.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.OutputTags;
import io.guidance.experiment.Experiment;
import io.guidance.experiment.ExperimentStateNames;
import io.guidance.experiment.Exposure;
import io.guidance.experiment.SpecBuckets;
import io.guidance.rules.DeliverySettings;
import io.guidance.rules.Glob;
import io.guidance.rules.Matcher;
import io.guidance.rules.RuleSet;
import io.guidance.trigger.Trigger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Checks 5 and 6 of the delivery policy and the exposures and conversions of SPEC section 7, in
 * Flink's keyed harness. Users are picked by their bucket, computed here from the SPEC's words
 * (SHA-256 of {@code salt:userId}, first 8 bytes unsigned big-endian, modulo 10,000) without the
 * product's code. Two taps at one instant fire a burst at that instant.
 *
 * <p>{@code help-burst} has an experiment: variants {@code help-a} 50 % (buckets 0-4999), {@code
 * help-b} 30 % (5000-7999), control 20 % (8000-9999), goal a purchase within 1 day. {@code
 * tips-burst} has none. The program holds out 10 % (bucket of salt {@code holdout} below 1000),
 * goal a purchase within 7 days. Minimum gap 2 min.
 */
class ExperimentDeliveryTest {
    private static final long MIN_GAP = 2 * MINUTE;
    private static final long WINDOW = DAY;
    private static final long GOAL_WINDOW = 7 * DAY;

    private static final String RULES =
            """
              - id: help-burst
                guide: help
                kind: burst
                match: {type: help-tap}
                count: 2
                within: 1s
              - id: tips-burst
                guide: tips
                kind: burst
                match: {type: tips-tap}
                count: 2
                within: 1s
            """;

    private DetectionHarness h;

    @AfterEach
    void close() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    // ---- assignment, computed from the SPEC's words ----

    static int bucket(String salt, String userId) {
        return SpecBuckets.bucket(salt, userId);
    }

    /** The first user "u0", "u1", ... whose buckets satisfy both conditions. */
    static String user(IntPredicate helpBucket, IntPredicate holdoutBucket) throws Exception {
        for (int i = 0; ; i++) {
            String u = "u" + i;
            if (helpBucket.test(bucket("help-burst", u))
                    && holdoutBucket.test(bucket("holdout", u))) {
                return u;
            }
        }
    }

    static final IntPredicate TREATED = b -> b >= 1000;
    static final IntPredicate HELD_OUT = b -> b < 1000;
    static final IntPredicate VARIANT_A = b -> b < 5000;
    static final IntPredicate VARIANT_B = b -> b >= 5000 && b < 8000;
    static final IntPredicate CONTROL = b -> b >= 8000;
    static final IntPredicate ANY = b -> true;

    private static Matcher purchase() {
        return new Matcher(Map.of("type", List.of(new Glob("purchase"))));
    }

    private static RuleSet rules(int holdout) {
        RuleSet base = DetectionHarness.rules(RULES);
        Map<String, Integer> variants = new LinkedHashMap<>();
        variants.put("help-a", 50);
        variants.put("help-b", 30);
        DeliverySettings delivery =
                new DeliverySettings(
                        10 * MINUTE, MIN_GAP, 5, DAY, holdout, purchase(), GOAL_WINDOW);
        return new RuleSet(
                1,
                delivery,
                base.rules,
                Map.of(
                        "help-burst",
                        new Experiment(
                                "help-burst", variants, 20, purchase(), WINDOW, "help-burst")));
    }

    private void open(int holdout) throws Exception {
        h = DetectionHarness.of(rules(holdout), DetectionHarness.DEFAULTS);
    }

    private void taps(String user, String type, long ts) throws Exception {
        h.feed(
                h.event(user, "s1", ts, type, null, null),
                h.event(user, "s1", ts, type, null, null));
    }

    private void purchaseAt(String user, long ts) throws Exception {
        h.feed(h.event(user, "s1", ts, "purchase", "/checkout", null));
    }

    private Map<String, String> statuses() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Trigger t : h.triggers()) {
            out.put(t.ruleId + "@" + (t.ts - T0), t.status + " " + t.guide + " " + t.variant);
        }
        return out;
    }

    private List<String> records() {
        return h.sideOutput(OutputTags.EXPERIMENTS).stream()
                .map(
                        r ->
                                r.record
                                        + " "
                                        + r.experiment
                                        + "/"
                                        + r.salt
                                        + " "
                                        + r.arm
                                        + " "
                                        + r.userId
                                        + " @"
                                        + (r.ts - T0)
                                        + " exposedAt "
                                        + (r.exposedAt - T0)
                                        + (r.triggerId == null ? "" : " " + r.triggerId))
                .collect(Collectors.toList());
    }

    // ---- checks 5 and 6 ----

    @Test
    void aVariantUserGetsTheVariantsGuideAndAControlUserIsHeldBack() throws Exception {
        open(0);
        String a = user(VARIANT_A, ANY);
        String b = user(VARIANT_B, ANY);
        String c = user(CONTROL, ANY);
        taps(a, "help-tap", T0);
        taps(b, "help-tap", T0);
        taps(c, "help-tap", T0);
        h.advanceTo(T0 + MINUTE);

        Map<String, String> byUser = new LinkedHashMap<>();
        for (Trigger t : h.triggers()) {
            byUser.put(t.userId, t.status + " " + t.guide + " " + t.variant);
        }
        assertThat(byUser)
                .containsEntry(a, "delivered help-a help-a")
                .containsEntry(b, "delivered help-b help-b")
                // control keeps the rule's own guide and is never delivered
                .containsEntry(c, "suppressed:control help control")
                .hasSize(3);
    }

    @Test
    void aRuleWithoutAnExperimentHasNoVariant() throws Exception {
        open(0);
        String c = user(CONTROL, ANY);
        taps(c, "tips-tap", T0);
        h.advanceTo(T0 + MINUTE);
        assertThat(statuses()).containsExactly(Map.entry("tips-burst@0", "delivered tips null"));
        assertThat(records()).isEmpty();
    }

    @Test
    void aHeldOutUserGetsNoGuideFromAnyRule() throws Exception {
        open(10);
        String held = user(VARIANT_A, HELD_OUT);
        taps(held, "help-tap", T0);
        taps(held, "tips-tap", T0 + 10 * MINUTE);
        h.advanceTo(T0 + DAY);
        assertThat(statuses())
                .containsExactly(
                        // check 5 comes before check 6 and after the variant is chosen
                        Map.entry("help-burst@0", "suppressed:holdout help-a help-a"),
                        Map.entry("tips-burst@600000", "suppressed:holdout tips null"));
    }

    @Test
    void aHeldBackTriggerCountsForTheGapAsIfDelivered() throws Exception {
        open(10);
        String control = user(CONTROL, TREATED);
        String held = user(VARIANT_A, HELD_OUT);
        String treated = user(VARIANT_A, TREATED);
        for (String u : List.of(control, held, treated)) {
            taps(u, "help-tap", T0);
            // within the 2 min gap of the first: would-be guide or not, the gap applies
            taps(u, "tips-tap", T0 + MINUTE);
            // after the gap
            taps(u, "tips-tap", T0 + MIN_GAP + MINUTE);
        }
        h.advanceTo(T0 + DAY);
        Map<String, List<String>> byUser = new LinkedHashMap<>();
        for (Trigger t : h.triggers()) {
            byUser.computeIfAbsent(t.userId, k -> new ArrayList<>()).add(t.status);
        }
        assertThat(byUser.get(control))
                .containsExactly("suppressed:control", "suppressed:min_gap", "delivered");
        assertThat(byUser.get(held))
                .containsExactly("suppressed:holdout", "suppressed:min_gap", "suppressed:holdout");
        assertThat(byUser.get(treated))
                .containsExactly("delivered", "suppressed:min_gap", "delivered");
    }

    // ---- exposures ----

    @Test
    void aUserIsExposedOnceAtTheFirstTriggerThatReachedOrWasHeldAsControl() throws Exception {
        open(10);
        String a = user(VARIANT_A, TREATED);
        String c = user(CONTROL, TREATED);
        for (String u : List.of(a, c)) {
            taps(u, "help-tap", T0);
            // the same rule again after its cooldown (1 day): no second exposure
            taps(u, "help-tap", T0 + DAY + MINUTE);
        }
        h.advanceTo(T0 + 3 * DAY);
        assertThat(h.triggers()).hasSize(4);
        assertThat(records())
                .containsExactlyInAnyOrder(
                        "exposure help-burst/help-burst help-a "
                                + a
                                + " @0 exposedAt 0 help-burst|"
                                + a
                                + "|s1|"
                                + T0,
                        "exposure program/holdout treated "
                                + a
                                + " @0 exposedAt 0 help-burst|"
                                + a
                                + "|s1|"
                                + T0,
                        "exposure help-burst/help-burst control "
                                + c
                                + " @0 exposedAt 0 help-burst|"
                                + c
                                + "|s1|"
                                + T0,
                        "exposure program/holdout treated "
                                + c
                                + " @0 exposedAt 0 help-burst|"
                                + c
                                + "|s1|"
                                + T0);
    }

    @Test
    void aHeldOutUserIsInTheProgramButInNoRuleExperiment() throws Exception {
        open(10);
        String held = user(VARIANT_B, HELD_OUT);
        taps(held, "help-tap", T0);
        h.advanceTo(T0 + DAY);
        assertThat(records())
                .containsExactly(
                        "exposure program/holdout holdout "
                                + held
                                + " @0 exposedAt 0 help-burst|"
                                + held
                                + "|s1|"
                                + T0);
    }

    @Test
    void aSuppressedTriggerExposesNobody() throws Exception {
        open(0);
        String a = user(VARIANT_A, ANY);
        // tips first, then help within the gap: help is suppressed by min_gap, before check 6
        taps(a, "tips-tap", T0);
        taps(a, "help-tap", T0 + MINUTE);
        h.advanceTo(T0 + DAY);
        assertThat(statuses())
                .containsEntry("help-burst@60000", "suppressed:min_gap help-a help-a");
        assertThat(records()).isEmpty();
    }

    // ---- conversions ----

    @Test
    void aConversionCountsStrictlyAfterTheExposureAndWithinTheWindowOnce() throws Exception {
        open(0);
        String same = user(VARIANT_A, ANY);
        String inside = user(VARIANT_B, ANY);
        String edge = user(CONTROL, ANY);
        String late = nextAfter(same, VARIANT_A);
        for (String u : List.of(same, inside, edge, late)) {
            taps(u, "help-tap", T0);
        }
        purchaseAt(same, T0); // the exposure's own instant: not after it
        purchaseAt(inside, T0 + 1);
        purchaseAt(inside, T0 + 2 * MINUTE); // a second purchase: converted once
        purchaseAt(edge, T0 + WINDOW); // exactly at the end: inside (ts <= exposedAt + window)
        purchaseAt(late, T0 + WINDOW + 1); // just after the end
        h.advanceTo(T0 + 3 * DAY);

        List<String> conversions =
                records().stream()
                        .filter(r -> r.startsWith("conversion"))
                        .collect(Collectors.toList());
        assertThat(conversions)
                .containsExactlyInAnyOrder(
                        "conversion help-burst/help-burst help-b " + inside + " @1 exposedAt 0",
                        "conversion help-burst/help-burst control "
                                + edge
                                + " @"
                                + WINDOW
                                + " exposedAt 0");
    }

    @Test
    void theProgramConvertsWithinItsOwnWindow() throws Exception {
        open(10);
        String treated = user(VARIANT_A, TREATED);
        String held = user(VARIANT_A, HELD_OUT);
        taps(treated, "help-tap", T0);
        taps(held, "help-tap", T0);
        // after the rule experiment's 1 day, within the program's 7 days
        purchaseAt(treated, T0 + 2 * DAY);
        purchaseAt(held, T0 + 2 * DAY);
        h.advanceTo(T0 + 10 * DAY);
        List<String> conversions =
                records().stream()
                        .filter(r -> r.startsWith("conversion"))
                        .collect(Collectors.toList());
        assertThat(conversions)
                .containsExactlyInAnyOrder(
                        "conversion program/holdout treated "
                                + treated
                                + " @"
                                + 2 * DAY
                                + " exposedAt 0",
                        "conversion program/holdout holdout "
                                + held
                                + " @"
                                + 2 * DAY
                                + " exposedAt 0");
    }

    // ---- end of life ----

    @Test
    void exposuresAreForgottenWithTheUser() throws Exception {
        long retention = 3 * DAY;
        h =
                DetectionHarness.of(
                        rules(10),
                        new DetectionSettings(
                                DetectionSettings.DEFAULT_DEDUP_WINDOW,
                                DetectionSettings.DEFAULT_SESSION_TIMEOUT,
                                retention));
        String a = user(VARIANT_A, TREATED);
        taps(a, "help-tap", T0);
        h.advanceTo(T0 + DAY);
        assertThat(exposures(a))
                .containsOnlyKeys("help-burst\u001fhelp-burst", "program\u001fholdout");

        // the user retention is 3 days, but the program's conversion window is 7: the user (and
        // the exposures) are kept for the longer of the two after the last event
        h.advanceTo(T0 + 6 * DAY);
        assertThat(exposures(a)).hasSize(2);
        h.advanceTo(T0 + 8 * DAY);
        assertThat(exposures(a)).isEmpty();
        assertThat(h.stateEntries()).isZero();
    }

    private Map<String, Exposure> exposures(String user) throws Exception {
        return h.mapState(
                user, ExperimentStateNames.EXPOSURES, Types.STRING, Types.POJO(Exposure.class));
    }

    private static String nextAfter(String previous, IntPredicate helpBucket) throws Exception {
        int from = Integer.parseInt(previous.substring(1)) + 1;
        for (int i = from; ; i++) {
            String u = "u" + i;
            if (helpBucket.test(bucket("help-burst", u))) {
                return u;
            }
        }
    }
}
