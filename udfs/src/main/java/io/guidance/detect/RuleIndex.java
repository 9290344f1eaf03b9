package io.guidance.detect;

import io.guidance.detect.Detector.Reach;
import io.guidance.event.Event;
import io.guidance.rules.Glob;
import io.guidance.rules.Matcher;
import io.guidance.rules.Rule;
import io.guidance.rules.RuleSet;
import io.guidance.trigger.Trigger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Rules indexed by what their matchers can match, each with its detector, so that the cost of an
 * event does not grow with rules written for other types, pages, targets or properties, and
 * dispatch needs no look-up. Lists keep file order. Which events a rule sees beyond what it can
 * match, and how long its state needs the session or user kept, its detector says ({@link
 * Detector#reach}, {@link Detector#windowMs}).
 *
 * <p>Each matcher of a rule ({@link Rule#matchers}) is filed under one of its fields, its key: a
 * field whose every pattern is a literal (an exact value) or starts with one (a prefix, {@code
 * /product/*}). The key is the most selective such field: exact before prefix, any other field
 * before {@code type} (a shop has few event types and many pages, targets and categories), then the
 * field whose literals the fewest matchers of the set share. A matcher with no such field (only
 * {@code *}-led patterns, or none) makes its rule a candidate for every event. An event is handed
 * to the rules filed under its own field values (exact, or any prefix of them): a superset of the
 * rules whose matchers match it, never missing one. The detectors match in full.
 */
public final class RuleIndex {
    private final Map<String, Rule> byId = new HashMap<>();

    /** Per event type named by some rule: the rules {@link #rulesFor} it. */
    private final Map<String, TypeRules> byType = new HashMap<>();

    /** For an event of a type no rule names. */
    private final TypeRules otherTypes;

    private final List<Rule> everyEvent = new ArrayList<>();
    private final long longestSessionWindowMs;
    private final long longestUserWindowMs;
    private final boolean hasPerUserRules;
    private final boolean watchesSessionStarts;
    private final long sessionStartsMatterForMs;

    /** Every rule in file order, and its detector: a rule's position is its index here. */
    private final Rule[] rules;

    private final Detector<Rule>[] detectors;

    /** The fields matchers are filed under: their names, and how to read them from an event. */
    private final KeyField[] keyFields;

    /** Positions of the rules that are candidates for every event by their matchers. */
    private final int[] open;

    /** Positions of the rules that also see session starts, and those that see every event. */
    private final int[] sessionStartRules;

    private final int[] everyEventRules;

    /**
     * The rules whose matchers can match an event of one type ({@link #rulesFor}), and those that
     * see the type only for session starts.
     */
    private static final class TypeRules {
        final List<Rule> matching;
        final List<Rule> sessionStartsOnly;

        TypeRules(List<Rule> matching, List<Rule> sessionStartsOnly) {
            this.matching = Collections.unmodifiableList(matching);
            this.sessionStartsOnly = Collections.unmodifiableList(sessionStartsOnly);
        }
    }

    /** One field matchers are filed under: its exact values and its prefixes. */
    private static final class KeyField {
        final String name;

        /** The property name for {@code props.NAME}, else null. */
        final String prop;

        final Map<String, int[]> exact;

        /** Null when no matcher files a prefix under this field. */
        final PrefixNode prefixes;

        KeyField(String name, Map<String, int[]> exact, PrefixNode prefixes) {
            this.name = name;
            this.prop = name.startsWith("props.") ? name.substring(6) : null;
            this.exact = exact;
            this.prefixes = prefixes;
        }

        String valueOf(Event e) {
            if (prop != null) {
                return e.props == null ? null : e.props.get(prop);
            }
            switch (name) {
                case "type":
                    return e.type;
                case "page":
                    return e.page;
                default:
                    return e.target;
            }
        }
    }

    /**
     * A character trie of prefixes: walking an event's value through it meets every prefix of the
     * value, with no allocation.
     */
    private static final class PrefixNode {
        final char[] labels;
        final PrefixNode[] next;

        /** Rules filed under the prefix that ends here; null when none. */
        final int[] rules;

        PrefixNode(char[] labels, PrefixNode[] next, int[] rules) {
            this.labels = labels;
            this.next = next;
            this.rules = rules;
        }
    }

    /**
     * The rules one event is handed to, worked out by {@link #select}. One per caller, reused from
     * event to event: the per-event path allocates nothing. Not for sharing between threads.
     */
    static final class Selection {
        /** Positions of the rules that may match the event, ascending; the first {@code size}. */
        int[] positions;

        int size;

        private final int[] merged;
        private final long[] bits;

        /** The first posting list met; others go into {@code bits} with it. */
        private int[] first;

        private boolean several;

        private Selection(int rules) {
            merged = new int[rules];
            bits = new long[(rules + 63) >>> 6];
        }

        private void start() {
            first = null;
            several = false;
        }

        private void add(int[] list) {
            if (list.length == 0) {
                return;
            }
            if (first == null) {
                first = list;
                return;
            }
            if (!several) {
                several = true;
                mark(first);
            }
            mark(list);
        }

        private void mark(int[] list) {
            for (int p : list) {
                bits[p >>> 6] |= 1L << p;
            }
        }

        private void finish() {
            if (first == null) {
                positions = merged;
                size = 0;
            } else if (!several) {
                positions = first; // one list: already ascending and distinct
                size = first.length;
            } else {
                int n = 0;
                for (int w = 0; w < bits.length; w++) {
                    long word = bits[w];
                    bits[w] = 0;
                    while (word != 0) {
                        merged[n++] = (w << 6) + Long.numberOfTrailingZeros(word);
                        word &= word - 1;
                    }
                }
                positions = merged;
                size = n;
            }
        }

        private boolean contains(int position) {
            return Arrays.binarySearch(positions, 0, size, position) >= 0;
        }
    }

    /** An index with detectors of its own: for looking at the rules, not for running them. */
    public RuleIndex(RuleSet rules) {
        this(rules, Detectors.all());
    }

    /** An index that hands events to these detectors. */
    @SuppressWarnings("unchecked")
    RuleIndex(RuleSet ruleSet, List<Detector<?>> detectorList) {
        int count = ruleSet.rules.size();
        rules = ruleSet.rules.toArray(new Rule[0]);
        detectors = new Detector[count];
        List<Rule> typed = new ArrayList<>();
        List<Rule> sessionStarts = new ArrayList<>();
        List<Integer> sessionStartPositions = new ArrayList<>();
        List<Integer> everyEventPositions = new ArrayList<>();
        Set<String> types = new LinkedHashSet<>();
        long session = 0;
        long user = 0;
        long sessionStartsMatter = 0;
        boolean perUser = false;
        for (int i = 0; i < count; i++) {
            Rule r = rules[i];
            byId.put(r.id, r);
            Detector<Rule> d = Detectors.of(r, detectorList);
            detectors[i] = d;
            if (r.perSession()) {
                session = Math.max(session, d.windowMs(r));
            } else {
                user = Math.max(user, d.windowMs(r));
                perUser = true;
            }
            Reach reach = d.reach(r);
            if (reach == Reach.EVERY_EVENT) {
                everyEvent.add(r);
                everyEventPositions.add(i);
                continue;
            }
            typed.add(r);
            if (reach == Reach.MATCHING_TYPES_AND_SESSION_STARTS) {
                sessionStarts.add(r);
                sessionStartPositions.add(i);
                sessionStartsMatter = Math.max(sessionStartsMatter, d.sessionStartsMatterFor(r));
            }
            Set<String> t = r.eventTypes();
            if (t != null) {
                types.addAll(t);
            }
        }
        longestSessionWindowMs = session;
        longestUserWindowMs = user;
        hasPerUserRules = perUser;
        watchesSessionStarts = !sessionStarts.isEmpty();
        sessionStartsMatterForMs = sessionStartsMatter;
        for (String type : types) {
            List<Rule> matching = matching(typed, type);
            List<Rule> others = new ArrayList<>(sessionStarts);
            others.removeAll(matching);
            byType.put(type, new TypeRules(matching, others));
        }
        List<Rule> openTyped = matching(typed, null);
        List<Rule> others = new ArrayList<>(sessionStarts);
        others.removeAll(openTyped);
        otherTypes = new TypeRules(openTyped, others);
        sessionStartRules = ints(sessionStartPositions);
        everyEventRules = ints(everyEventPositions);

        // the index by field values
        Map<String, Integer> shared = sharedLiterals(ruleSet.rules);
        Map<String, Map<String, TreeSet<Integer>>> exact = new LinkedHashMap<>();
        Map<String, PrefixBuilder> prefixes = new LinkedHashMap<>();
        TreeSet<Integer> openPositions = new TreeSet<>();
        for (int i = 0; i < count; i++) {
            Rule r = rules[i];
            if (detectors[i].reach(r) == Reach.EVERY_EVENT) {
                continue;
            }
            List<Matcher> matchers = r.matchers();
            if (matchers == null || matchers.isEmpty()) {
                openPositions.add(i);
                continue;
            }
            for (Matcher m : matchers) {
                String field = keyOf(m, shared);
                if (field == null) {
                    openPositions.add(i);
                    continue;
                }
                for (Glob g : m.patterns().get(field)) {
                    if (g.exactValue() != null) {
                        exact.computeIfAbsent(field, f -> new LinkedHashMap<>())
                                .computeIfAbsent(g.exactValue(), v -> new TreeSet<>())
                                .add(i);
                    } else {
                        prefixes.computeIfAbsent(field, f -> new PrefixBuilder())
                                .add(prefixOf(g), i);
                    }
                }
            }
        }
        Set<String> fields = new LinkedHashSet<>(exact.keySet());
        fields.addAll(prefixes.keySet());
        keyFields = new KeyField[fields.size()];
        int f = 0;
        for (String field : fields) {
            Map<String, int[]> values = new HashMap<>();
            exact.getOrDefault(field, Map.of()).forEach((v, ps) -> values.put(v, ints(ps)));
            PrefixBuilder p = prefixes.get(field);
            keyFields[f++] = new KeyField(field, values, p == null ? null : p.build());
        }
        open = ints(openPositions);
    }

    /**
     * The field a matcher is filed under, or null when none of its fields can narrow the events it
     * matches.
     */
    private static String keyOf(Matcher m, Map<String, Integer> shared) {
        String best = null;
        int bestRank = Integer.MAX_VALUE;
        long bestSharing = Long.MAX_VALUE;
        for (Map.Entry<String, List<Glob>> f : m.patterns().entrySet()) {
            boolean allExact = true;
            boolean usable = !f.getValue().isEmpty();
            long sharing = 0;
            for (Glob g : f.getValue()) {
                if (g.exactValue() == null) {
                    allExact = false;
                    usable &= !prefixOf(g).isEmpty();
                }
                sharing += shared.getOrDefault(literalKey(f.getKey(), g), 0);
            }
            if (!usable) {
                continue;
            }
            int rank = (f.getKey().equals("type") ? 2 : 0) + (allExact ? 0 : 1);
            if (rank < bestRank || (rank == bestRank && sharing < bestSharing)) {
                best = f.getKey();
                bestRank = rank;
                bestSharing = sharing;
            }
        }
        return best;
    }

    /** How many matchers of the set name each (field, literal): the less shared, the better key. */
    private static Map<String, Integer> sharedLiterals(List<Rule> rules) {
        Map<String, Integer> out = new HashMap<>();
        for (Rule r : rules) {
            List<Matcher> matchers = r.matchers();
            if (matchers == null) {
                continue;
            }
            for (Matcher m : matchers) {
                m.patterns()
                        .forEach(
                                (field, globs) -> {
                                    for (Glob g : globs) {
                                        out.merge(literalKey(field, g), 1, Integer::sum);
                                    }
                                });
            }
        }
        return out;
    }

    private static String literalKey(String field, Glob g) {
        return field + DetectionEngine.SEP + (g.exactValue() != null ? "=" : "^") + prefixOf(g);
    }

    /** The literal a pattern starts with: all of it when it has no star. */
    private static String prefixOf(Glob g) {
        String p = g.pattern();
        int star = p.indexOf('*');
        return star < 0 ? p : p.substring(0, star);
    }

    private static int[] ints(Iterable<Integer> values) {
        List<Integer> list = new ArrayList<>();
        values.forEach(list::add);
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.get(i);
        }
        return out;
    }

    /** A prefix trie while it is built. */
    private static final class PrefixBuilder {
        final TreeMap<Character, PrefixBuilder> next = new TreeMap<>();
        final TreeSet<Integer> rules = new TreeSet<>();

        void add(String prefix, int position) {
            PrefixBuilder node = this;
            for (int i = 0; i < prefix.length(); i++) {
                node = node.next.computeIfAbsent(prefix.charAt(i), c -> new PrefixBuilder());
            }
            node.rules.add(position);
        }

        PrefixNode build() {
            char[] labels = new char[next.size()];
            PrefixNode[] nodes = new PrefixNode[next.size()];
            int i = 0;
            for (Map.Entry<Character, PrefixBuilder> e : next.entrySet()) {
                labels[i] = e.getKey();
                nodes[i++] = e.getValue().build();
            }
            return new PrefixNode(labels, nodes, rules.isEmpty() ? null : ints(rules));
        }
    }

    /**
     * Rules whose types include {@code type}, or are open; with a null type, only the open ones.
     */
    private static List<Rule> matching(List<Rule> rules, String type) {
        List<Rule> out = new ArrayList<>();
        for (Rule r : rules) {
            Set<String> t = r.eventTypes();
            if (t == null || (type != null && t.contains(type))) {
                out.add(r);
            }
        }
        return out;
    }

    /** A selection to pass to {@link #select} and {@link #handTo}, for one caller. */
    Selection newSelection() {
        return new Selection(rules.length);
    }

    /** Works out, into {@code s}, the rules whose matchers may match {@code e}. */
    Selection select(Event e, Selection s) {
        s.start();
        s.add(open);
        for (KeyField f : keyFields) {
            String value = f.valueOf(e);
            if (value == null) {
                continue;
            }
            int[] exact = f.exact.get(value);
            if (exact != null) {
                s.add(exact);
            }
            PrefixNode node = f.prefixes;
            for (int i = 0; node != null; i++) {
                if (node.rules != null) {
                    s.add(node.rules);
                }
                if (i == value.length()) {
                    break;
                }
                int k = Arrays.binarySearch(node.labels, value.charAt(i));
                node = k < 0 ? null : node.next[k];
            }
        }
        s.finish();
        return s;
    }

    /**
     * Hands an event to its rules' detectors: those whose matchers may match it (file order), then
     * the other rules that see it for a session start, then those that see every event.
     */
    void handTo(Event e, Selection s, UserContext user, List<Trigger> out) throws Exception {
        select(e, s);
        int[] positions = s.positions;
        for (int i = 0; i < s.size; i++) {
            int p = positions[i];
            detectors[p].onEvent(rules[p], e, true, user, out);
        }
        for (int p : sessionStartRules) {
            if (!s.contains(p)) {
                detectors[p].onEvent(rules[p], e, false, user, out);
            }
        }
        for (int p : everyEventRules) {
            detectors[p].onEvent(rules[p], e, false, user, out);
        }
    }

    /**
     * The rules whose matchers may match {@code e}, in file order (a superset of those that do).
     */
    public List<Rule> rulesFor(Event e) {
        Selection s = select(e, newSelection());
        List<Rule> out = new ArrayList<>(s.size);
        for (int i = 0; i < s.size; i++) {
            out.add(rules[s.positions[i]]);
        }
        return out;
    }

    Rule rule(String id) {
        return byId.get(id);
    }

    private TypeRules typeRules(String type) {
        TypeRules c = byType.get(type);
        return c != null ? c : otherTypes;
    }

    /** Rules whose matchers can match an event of this type, in file order. */
    public List<Rule> rulesFor(String type) {
        return typeRules(type).matching;
    }

    /**
     * Rules not in {@link #rulesFor} that still see an event of this type, for its session start.
     */
    List<Rule> sessionStartRulesNotFor(String type) {
        return typeRules(type).sessionStartsOnly;
    }

    /** Rules that see every event, whatever its type. */
    List<Rule> everyEventRules() {
        return everyEvent;
    }

    /** True when some rule keeps per-user state, so that first/last seen must be kept. */
    boolean hasPerUserRules() {
        return hasPerUserRules;
    }

    /** True when some rule asks whether an event starts a new session of the user. */
    boolean watchesSessionStarts() {
        return watchesSessionStarts;
    }

    /**
     * How long after a user's first event some rule can still ask whether an event starts a new
     * session ({@link Long#MAX_VALUE}: for good, a rolling threshold nudge; 0: no rule asks).
     */
    long sessionStartsMatterForMs() {
        return sessionStartsMatterForMs;
    }

    long longestSessionWindowMs() {
        return longestSessionWindowMs;
    }

    long longestUserWindowMs() {
        return longestUserWindowMs;
    }
}
