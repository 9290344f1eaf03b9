package io.guidance.report;

import io.guidance.experiment.Experiment;
import io.guidance.experiment.ExperimentRecord;
import io.guidance.experiment.stats.ArmCounts;
import io.guidance.rules.Rule;
import io.guidance.rules.RuleSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * Exposed and converted users per experiment, salt and arm, from experiment records (SPEC section
 * 7): a user counts once per arm however often the records repeat them (the experiments topic is
 * written at least once). Converted users are counted among the arm's exposed users only; a
 * conversion whose exposure was not read (it is older than the topic's retention) is counted apart.
 */
public final class ExperimentTally {
    /**
     * One experiment as tallied: its arms' counts, with shares from the rules when known, and the
     * users with a conversion but no exposure in that arm.
     */
    public record Counts(
            String experiment,
            String salt,
            String controlArm,
            boolean inRules,
            List<ArmCounts> arms,
            long conversionsWithoutExposure) {}

    private record Key(String experiment, String salt) {}

    private static final class Arm {
        final Set<String> exposed = new HashSet<>();
        final Set<String> converted = new HashSet<>();
    }

    /** (experiment, salt) -> arm -> users. */
    private final Map<Key, Map<String, Arm>> tallies =
            new TreeMap<>(
                    (a, b) -> {
                        int c = a.experiment.compareTo(b.experiment);
                        return c != 0 ? c : a.salt.compareTo(b.salt);
                    });

    public void add(ExperimentRecord r) {
        Arm arm =
                tallies.computeIfAbsent(new Key(r.experiment, r.salt), k -> new TreeMap<>())
                        .computeIfAbsent(r.arm, a -> new Arm());
        (r.isExposure() ? arm.exposed : arm.converted).add(r.userId);
    }

    /**
     * Every experiment of the rules (its salt in force, even without records yet: the rule
     * experiments in the order of the rules, then the program), then every other (experiment, salt)
     * of the records, with share 0 for arms the rules do not give a share.
     */
    public List<Counts> counts(RuleSet rules) {
        Map<Key, Experiment> configured = new LinkedHashMap<>();
        if (rules != null) {
            for (Rule r : rules.rules) {
                Experiment x = rules.experimentOf(r.id);
                if (x != null) {
                    configured.put(new Key(x.name, x.salt), x);
                }
            }
            if (rules.program != null) {
                configured.put(new Key(rules.program.name, rules.program.salt), rules.program);
            }
        }
        List<Counts> out = new ArrayList<>();
        for (Map.Entry<Key, Experiment> e : configured.entrySet()) {
            Experiment x = e.getValue();
            Map<String, Arm> seen = tallies.getOrDefault(e.getKey(), Map.of());
            List<String> arms = new ArrayList<>(x.arms());
            seen.keySet().stream().filter(a -> !arms.contains(a)).forEach(arms::add);
            out.add(counts(e.getKey(), x.controlArm, true, arms, seen, x::shareOf));
        }
        for (Map.Entry<Key, Map<String, Arm>> e : tallies.entrySet()) {
            if (configured.containsKey(e.getKey())) {
                continue;
            }
            String control =
                    Experiment.PROGRAM.equals(e.getKey().experiment)
                            ? Experiment.HOLDOUT
                            : Experiment.CONTROL;
            // the arms by name, the control arm last, as the rules would list them
            List<String> arms = new ArrayList<>(e.getValue().keySet());
            if (arms.remove(control)) {
                arms.add(control);
            }
            out.add(counts(e.getKey(), control, false, arms, e.getValue(), arm -> 0));
        }
        return out;
    }

    private static Counts counts(
            Key key,
            String controlArm,
            boolean inRules,
            List<String> arms,
            Map<String, Arm> seen,
            ToIntFunction<String> share) {
        List<ArmCounts> list = new ArrayList<>();
        long unexposed = 0;
        for (String name : arms) {
            Arm arm = seen.get(name);
            long converted = 0;
            if (arm != null) {
                for (String user : arm.converted) {
                    if (arm.exposed.contains(user)) {
                        converted++;
                    } else {
                        unexposed++;
                    }
                }
            }
            list.add(
                    new ArmCounts(
                            name,
                            share.applyAsInt(name),
                            arm == null ? 0 : arm.exposed.size(),
                            converted));
        }
        return new Counts(
                Objects.requireNonNull(key.experiment),
                key.salt,
                controlArm,
                inRules,
                list,
                unexposed);
    }
}
