package io.guidance.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.Event;
import io.guidance.rules.ComebackRule;
import io.guidance.rules.Rule;
import io.guidance.rules.RuleSet;
import io.guidance.rules.ThresholdRule;
import io.guidance.trigger.Trigger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.junit.jupiter.api.Test;

/**
 * The index narrows the rules an event is handed to by the values of its fields; it must never
 * leave out a rule that one of its matchers matches. Random rule sets (exact values, prefixes,
 * other globs, {@code *} alone, properties, several patterns per field and several matchers per
 * rule) against random events, checked against a brute-force reading of SPEC section 3.
 */
class RuleIndexCoverageTest {
    private static final List<String> FIELDS =
            List.of("type", "page", "target", "props.category", "props.brand");

    private static final Map<String, List<String>> VALUES =
            Map.of(
                    "type", List.of("page_view", "click", "cart", "purchase", "page_ping"),
                    "page", List.of("/a", "/ab", "/abc", "/b", "/product/1", "/product/12"),
                    "target", List.of("#x", "#xy", "#y", "button.buy"),
                    "props.category", List.of("1", "2", "12", "123", "7"),
                    "props.brand", List.of("a", "ab", "b"));

    /** One matcher as the test writes it: field -> its patterns. */
    private record Spec(Map<String, List<String>> patterns) {
        boolean matches(Event e) {
            for (Map.Entry<String, List<String>> f : patterns.entrySet()) {
                String value = valueOf(e, f.getKey());
                if (value == null) {
                    return false;
                }
                boolean any = false;
                for (String p : f.getValue()) {
                    any |= globRegex(p).matcher(value).matches();
                }
                if (!any) {
                    return false;
                }
            }
            return true;
        }
    }

    /** SPEC: {@code *} stands for any run of characters, everything else for itself. */
    private static Pattern globRegex(String glob) {
        String[] pieces = glob.split("\\*", -1);
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pieces.length; i++) {
            if (i > 0) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(pieces[i]));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    private static String valueOf(Event e, String field) {
        switch (field) {
            case "type":
                return e.type;
            case "page":
                return e.page;
            case "target":
                return e.target;
            default:
                return e.props == null ? null : e.props.get(field.substring("props.".length()));
        }
    }

    @Test
    void theGlobReadingOfTheTestIsTheSpecs() {
        assertThat(globRegex("/product/*").matcher("/product/12").matches()).isTrue();
        assertThat(globRegex("/product/*").matcher("/products").matches()).isFalse();
        assertThat(globRegex("*").matcher("").matches()).isTrue();
        assertThat(globRegex("*b").matcher("ab").matches()).isTrue();
        assertThat(globRegex("*b").matcher("ba").matches()).isFalse();
        assertThat(globRegex("a*c").matcher("abc").matches()).isTrue();
        assertThat(globRegex("a*c").matcher("ab").matches()).isFalse();
        assertThat(globRegex("a.c").matcher("abc").matches()).isFalse();
    }

    @Test
    void everyRuleThatAMatcherMatchesIsACandidateInFileOrder() throws Exception {
        Random random = new Random(20261204L);
        int checkedMatches = 0;
        int narrowed = 0;
        for (int set = 0; set < 300; set++) {
            int count = 1 + random.nextInt(40);
            List<List<Spec>> matchersOf = new ArrayList<>();
            StringBuilder yaml = new StringBuilder();
            for (int i = 0; i < count; i++) {
                matchersOf.add(randomRule(random, "r" + i, yaml));
            }
            RuleSet rules = DetectionHarness.rules(yaml.toString());
            Recorded recorded = new Recorded();
            RuleIndex index = new RuleIndex(rules, recorded.detectors());
            RuleIndex.Selection selection = index.newSelection();
            for (int n = 0; n < 60; n++) {
                Event e = randomEvent(random);
                List<String> matching = new ArrayList<>();
                List<String> sessionStarts = new ArrayList<>();
                List<String> everyEvent = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    Rule r = rules.rules.get(i);
                    if (r instanceof ComebackRule) {
                        everyEvent.add(r.id);
                        continue;
                    }
                    if (matchersOf.get(i).stream().anyMatch(m -> m.matches(e))) {
                        matching.add(r.id);
                    }
                    if (r instanceof ThresholdRule && ((ThresholdRule) r).nudgeFrom >= 0) {
                        sessionStarts.add(r.id);
                    }
                }
                checkedMatches += matching.size();

                List<String> candidates = ids(index.rulesFor(e));
                assertThat(candidates).as("candidates for %s", e).containsAll(matching);
                assertThat(candidates)
                        .as("file order")
                        .isSortedAccordingTo(RuleIndexCoverageTest::byPosition);
                assertThat(candidates).noneMatch(everyEvent::contains);
                if (candidates.size() < count - everyEvent.size()) {
                    narrowed++;
                }

                recorded.calls.clear();
                index.handTo(e, selection, null, List.of());
                List<String> mayMatch = new ArrayList<>();
                List<String> reachOnly = new ArrayList<>();
                for (String call : recorded.calls) {
                    (call.endsWith("+") ? mayMatch : reachOnly)
                            .add(call.substring(0, call.length() - 1));
                }
                // the detectors get the candidates (with mayMatch), then the session-start
                // rules that are not among them, then the every-event ones, each once
                assertThat(mayMatch).isEqualTo(candidates);
                List<String> expectedReachOnly = new ArrayList<>();
                sessionStarts.stream()
                        .filter(id -> !candidates.contains(id))
                        .forEach(expectedReachOnly::add);
                expectedReachOnly.addAll(everyEvent);
                assertThat(reachOnly).isEqualTo(expectedReachOnly);
                assertThat(recorded.calls.subList(0, mayMatch.size()))
                        .allMatch(c -> c.endsWith("+"));
            }
        }
        // the sets are not degenerate: rules do match, and the index does leave rules out
        assertThat(checkedMatches).isGreaterThan(1_000);
        assertThat(narrowed).isGreaterThan(1_000);
    }

    @Test
    void aRulePerCategoryMeetsOnlyTheEventsOfItsCategory() {
        StringBuilder yaml = new StringBuilder();
        for (int c = 0; c < 50; c++) {
            yaml.append(
                    """
                      - id: stall-%d
                        guide: g
                        kind: stall
                        start: {type: page_view, props.category: "%d"}
                        progress: [{type: cart, props.category: "%d"}]
                        within: 1m
                    """
                            .formatted(c, c, c));
        }
        yaml.append(
                """
                  - id: product-loop
                    guide: g
                    kind: loop
                    match: {type: page_view, page: "/product/*"}
                    field: page
                    times: 2
                    within: 1m
                """);
        RuleIndex index = new RuleIndex(DetectionHarness.rules(yaml.toString()));

        Event view = event("page_view", "/product/9", Map.of("category", "17"));
        assertThat(ids(index.rulesFor(view))).containsExactly("stall-17", "product-loop");
        Event cart = event("cart", "/cart", Map.of("category", "3"));
        assertThat(ids(index.rulesFor(cart))).containsExactly("stall-3");
        assertThat(index.rulesFor(event("page_view", "/home", null))).isEmpty();
        // by type alone, every rule would have been a candidate
        assertThat(index.rulesFor("page_view")).hasSize(51);
    }

    private static int byPosition(String a, String b) {
        return Integer.compare(Integer.parseInt(a.substring(1)), Integer.parseInt(b.substring(1)));
    }

    private static Event event(String type, String page, Map<String, String> props) {
        return new Event("e", "u", "s", 1L, type, page, null, props);
    }

    /** Writes a random rule into {@code yaml} and returns its matchers as the test reads them. */
    private static List<Spec> randomRule(Random random, String id, StringBuilder yaml) {
        yaml.append("  - id: ").append(id).append("\n    guide: g\n");
        List<Spec> matchers = new ArrayList<>();
        int kind = random.nextInt(20);
        if (kind < 8) {
            Spec start = randomMatcher(random);
            matchers.add(start);
            yaml.append("    kind: stall\n    start: ").append(flow(start)).append('\n');
            List<String> progress = new ArrayList<>();
            for (int i = random.nextInt(3); i >= 0; i--) {
                Spec p = randomMatcher(random);
                matchers.add(p);
                progress.add(flow(p));
            }
            yaml.append("    progress: [").append(String.join(", ", progress)).append("]\n");
            yaml.append("    within: 8s\n");
        } else if (kind < 12) {
            Spec m = randomMatcher(random);
            matchers.add(m);
            yaml.append("    kind: burst\n    match: ").append(flow(m)).append('\n');
            yaml.append("    count: 2\n    within: 1s\n");
        } else if (kind < 15) {
            Spec m = randomMatcher(random);
            matchers.add(m);
            yaml.append("    kind: loop\n    match: ").append(flow(m)).append('\n');
            yaml.append("    field: page\n    times: 2\n    within: 1m\n");
        } else if (kind < 19) {
            Spec m = randomMatcher(random);
            matchers.add(m);
            yaml.append("    kind: threshold\n    action: ").append(flow(m)).append('\n');
            yaml.append("    target: 3\n    window: {rolling: 1d}\n");
            if (random.nextBoolean()) {
                yaml.append("    nudgeFrom: 1\n");
            }
        } else {
            yaml.append("    kind: comeback\n    gap: 1d\n");
        }
        return matchers;
    }

    private static Spec randomMatcher(Random random) {
        Map<String, List<String>> patterns = new LinkedHashMap<>();
        int fields = 1 + random.nextInt(3);
        for (int i = 0; i < fields; i++) {
            String field = FIELDS.get(random.nextInt(FIELDS.size()));
            List<String> globs = new ArrayList<>();
            for (int k = random.nextInt(4) == 0 ? 2 : 1; k > 0; k--) {
                globs.add(randomPattern(random, VALUES.get(field)));
            }
            patterns.put(field, globs);
        }
        return new Spec(patterns);
    }

    /** Mostly exact values and prefixes, the rest other globs, {@code *} alone included. */
    private static String randomPattern(Random random, List<String> values) {
        String v = values.get(random.nextInt(values.size()));
        int cut = 1 + random.nextInt(v.length());
        switch (random.nextInt(10)) {
            case 0, 1, 2, 3:
                return v;
            case 4, 5:
                return v.substring(0, cut) + "*";
            case 6:
                return "*";
            case 7:
                return "*" + v.substring(cut - 1);
            case 8:
                return v.substring(0, cut) + "*" + v.substring(cut);
            default:
                return v.charAt(0) + "*" + v.charAt(v.length() - 1) + "*";
        }
    }

    private static String flow(Spec m) {
        List<String> parts = new ArrayList<>();
        m.patterns()
                .forEach(
                        (field, globs) ->
                                parts.add(
                                        field
                                                + ": "
                                                + (globs.size() == 1
                                                        ? quote(globs.get(0))
                                                        : globs.stream()
                                                                .map(RuleIndexCoverageTest::quote)
                                                                .collect(
                                                                        Collectors.joining(
                                                                                ", ", "[", "]")))));
        return "{" + String.join(", ", parts) + "}";
    }

    private static String quote(String s) {
        return '"' + s + '"';
    }

    /** Values of the vocabulary, some longer or shorter, and sometimes a field left out. */
    private static Event randomEvent(Random random) {
        String type = pick(random, "type");
        String page = random.nextInt(5) == 0 ? null : pick(random, "page");
        String target = random.nextInt(2) == 0 ? null : pick(random, "target");
        Map<String, String> props = null;
        if (random.nextInt(4) > 0) {
            props = new HashMap<>();
            if (random.nextInt(4) > 0) {
                props.put("category", pick(random, "props.category"));
            }
            if (random.nextBoolean()) {
                props.put("brand", pick(random, "props.brand"));
            }
        }
        return new Event("e", "u", "s", 1L, type, page, target, props);
    }

    private static String pick(Random random, String field) {
        List<String> values = VALUES.get(field);
        String v = values.get(random.nextInt(values.size()));
        switch (random.nextInt(8)) {
            case 0:
                return v + "z";
            case 1:
                return v.substring(0, v.length() - 1);
            default:
                return v;
        }
    }

    private static List<String> ids(List<? extends Rule> rules) {
        return rules.stream().map(r -> r.id).collect(Collectors.toList());
    }

    /**
     * Detectors that record what they are handed ({@code id+} with mayMatch, {@code id-} without),
     * with the reach of the real ones.
     */
    private static final class Recorded {
        final List<String> calls = new ArrayList<>();

        List<Detector<?>> detectors() {
            return List.of(
                    new Recording<>(new StallDetector()),
                    new Recording<>(new BurstDetector()),
                    new Recording<>(new LoopDetector()),
                    new Recording<>(new ThresholdDetector()),
                    new Recording<>(new ComebackDetector()));
        }

        private final class Recording<R extends Rule> implements Detector<R> {
            private final Detector<R> real;

            Recording(Detector<R> real) {
                this.real = real;
            }

            @Override
            public Class<R> ruleClass() {
                return real.ruleClass();
            }

            @Override
            public Reach reach(R rule) {
                return real.reach(rule);
            }

            @Override
            public long windowMs(R rule) {
                return real.windowMs(rule);
            }

            @Override
            public void open(RuntimeContext ctx) {}

            @Override
            public void onEvent(
                    R rule, Event e, boolean mayMatch, UserContext user, List<Trigger> out) {
                calls.add(rule.id + (mayMatch ? "+" : "-"));
            }
        }
    }
}
