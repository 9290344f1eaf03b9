package io.guidance.detect;

import io.guidance.detect.Detector.Reach;
import io.guidance.rules.Rule;
import io.guidance.rules.RuleSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rules indexed by the event types they can act on, each with its detector, so that the cost of an
 * event does not grow with rules that cannot match it and dispatch needs no look-up. A rule whose
 * matchers leave the type open is a candidate for every event. Lists keep file order. Which events
 * a rule sees beyond its types, and how long its state needs the session or user kept, its detector
 * says ({@link Detector#reach}, {@link Detector#windowMs}).
 */
public final class RuleIndex {
    private final Map<String, Rule> byId = new HashMap<>();

    /** Per event type named by some rule: what an event of that type is handed to. */
    private final Map<String, Candidates> byType = new HashMap<>();

    /** For an event of a type no rule names. */
    private final Candidates otherTypes;

    private final List<Rule> everyEvent = new ArrayList<>();
    private final long longestSessionWindowMs;
    private final long longestUserWindowMs;
    private final boolean hasPerUserRules;
    private final boolean watchesSessionStarts;
    private final long sessionStartsMatterForMs;

    /**
     * The rules to hand an event of one type to, in order: those whose matchers can match the type
     * (file order), those that see the type only for session starts, those that see every event.
     * Arrays, so that the loop over them allocates nothing.
     */
    static final class Candidates {
        final Rule[] rules;
        final Detector<Rule>[] detectors;

        /** False for a rule that is here only by its reach. */
        final boolean[] typeMatches;

        final List<Rule> matching;
        final List<Rule> sessionStartsOnly;

        @SuppressWarnings("unchecked")
        private Candidates(
                List<Rule> matching,
                List<Rule> sessionStartsOnly,
                List<Rule> everyEvent,
                Map<Rule, Detector<Rule>> detectorOf) {
            this.matching = Collections.unmodifiableList(matching);
            this.sessionStartsOnly = Collections.unmodifiableList(sessionStartsOnly);
            int n = matching.size() + sessionStartsOnly.size() + everyEvent.size();
            rules = new Rule[n];
            detectors = new Detector[n];
            typeMatches = new boolean[n];
            int i = 0;
            for (List<Rule> group : List.of(matching, sessionStartsOnly, everyEvent)) {
                for (Rule r : group) {
                    rules[i] = r;
                    detectors[i] = detectorOf.get(r);
                    typeMatches[i] = group == matching;
                    i++;
                }
            }
        }
    }

    /** An index with detectors of its own: for looking at the rules, not for running them. */
    public RuleIndex(RuleSet rules) {
        this(rules, Detectors.all());
    }

    /** An index that hands events to these detectors. */
    RuleIndex(RuleSet rules, List<Detector<?>> detectors) {
        Map<Rule, Detector<Rule>> detectorOf = new IdentityHashMap<>();
        List<Rule> typed = new ArrayList<>();
        List<Rule> sessionStarts = new ArrayList<>();
        Set<String> types = new LinkedHashSet<>();
        long session = 0;
        long user = 0;
        long sessionStartsMatter = 0;
        boolean perUser = false;
        for (Rule r : rules.rules) {
            byId.put(r.id, r);
            Detector<Rule> d = Detectors.of(r, detectors);
            detectorOf.put(r, d);
            if (r.perSession()) {
                session = Math.max(session, d.windowMs(r));
            } else {
                user = Math.max(user, d.windowMs(r));
                perUser = true;
            }
            Reach reach = d.reach(r);
            if (reach == Reach.EVERY_EVENT) {
                everyEvent.add(r);
                continue;
            }
            typed.add(r);
            if (reach == Reach.MATCHING_TYPES_AND_SESSION_STARTS) {
                sessionStarts.add(r);
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
            byType.put(type, new Candidates(matching, others, everyEvent, detectorOf));
        }
        List<Rule> open = matching(typed, null);
        List<Rule> others = new ArrayList<>(sessionStarts);
        others.removeAll(open);
        otherTypes = new Candidates(open, others, everyEvent, detectorOf);
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

    Rule rule(String id) {
        return byId.get(id);
    }

    /** What an event of this type is handed to. */
    Candidates candidates(String type) {
        Candidates c = byType.get(type);
        return c != null ? c : otherTypes;
    }

    /** Rules whose matchers can match an event of this type, in file order. */
    public List<Rule> rulesFor(String type) {
        return candidates(type).matching;
    }

    /**
     * Rules not in {@link #rulesFor} that still see an event of this type, for its session start.
     */
    List<Rule> sessionStartRulesNotFor(String type) {
        return candidates(type).sessionStartsOnly;
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
