package io.guidance.cli;

import io.guidance.experiment.Experiment;
import io.guidance.experiment.stats.ArmCounts;
import io.guidance.experiment.stats.ArmResult;
import io.guidance.experiment.stats.Comparison;
import io.guidance.experiment.stats.ExperimentResult;
import io.guidance.experiment.stats.ExperimentStatistics;
import io.guidance.rules.RuleSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The demo's compact table of experiment results, from the running totals the job writes to the
 * Redis hashes {@code {prefix}:experiment:{name}} (SPEC section 7): per arm the users exposed and
 * converted and the conversion rate, and each variant against the control arm: the difference in
 * percentage points with its fixed-sample 95% interval and the verdict of {@link
 * ExperimentStatistics}, which includes the sample ratio mismatch (SRM) check.
 */
final class ExperimentTable {
    private ExperimentTable() {}

    /**
     * The table's lines: the experiments of {@code rules} in file order, then the program, then any
     * other experiment Redis holds (a rule since removed or re-salted: its arms are listed but not
     * compared, as their shares are no longer known). Empty when there is nothing to show.
     *
     * @param hashes experiment name -> the fields of its hash
     */
    static List<String> lines(RuleSet rules, Map<String, Map<String, String>> hashes) {
        Set<String> names = new LinkedHashSet<>();
        for (String ruleId : rules.experiments.keySet()) {
            if (hashes.containsKey(ruleId)) {
                names.add(ruleId);
            }
        }
        if (hashes.containsKey(Experiment.PROGRAM)) {
            names.add(Experiment.PROGRAM);
        }
        names.addAll(new TreeSet<>(hashes.keySet()));
        List<String> lines = new ArrayList<>();
        for (String name : names) {
            Experiment configured =
                    Experiment.PROGRAM.equals(name) ? rules.program : rules.experimentOf(name);
            lines.addAll(experiment(name, configured, hashes.get(name)));
        }
        return lines;
    }

    private static List<String> experiment(
            String name, Experiment configured, Map<String, String> hash) {
        String salt = hash.getOrDefault("salt", "?");
        Map<String, Long> exposed = new HashMap<>();
        Map<String, Long> converted = new HashMap<>();
        List<String> armsInHash = new ArrayList<>();
        for (String arm : hash.getOrDefault("arms", "").split(",")) {
            if (!arm.isEmpty()) {
                armsInHash.add(arm);
                exposed.put(arm, count(hash, arm + ":exposed"));
                converted.put(arm, Math.min(count(hash, arm + ":converted"), exposed.get(arm)));
            }
        }
        ExperimentResult result;
        String controlArm;
        boolean inRules = configured != null && configured.salt.equals(salt);
        if (inRules) {
            result = ExperimentStatistics.analyse(configured, exposed, converted);
            controlArm = configured.controlArm;
        } else {
            controlArm = Experiment.PROGRAM.equals(name) ? Experiment.HOLDOUT : Experiment.CONTROL;
            List<ArmCounts> arms = new ArrayList<>();
            for (String arm : armsInHash) {
                arms.add(new ArmCounts(arm, 0, exposed.get(arm), converted.get(arm)));
            }
            result = ExperimentStatistics.analyse(name, salt, controlArm, arms);
        }

        List<String> lines = new ArrayList<>();
        lines.add(
                String.format(
                        "  %s (salt %s): %s",
                        name,
                        salt,
                        inRules
                                ? split(result)
                                : "not in the rules now, so its shares are unknown: not compared"));
        lines.add(
                String.format(
                        "    %-22s %8s %9s %6s   vs %s: diff [95%% interval]",
                        "arm", "exposed", "converted", "rate", controlArm));
        Map<String, Comparison> byArm = new HashMap<>();
        for (Comparison c : result.comparisons()) {
            byArm.put(c.arm(), c);
        }
        for (ArmResult a : result.arms()) {
            String rate = a.rate() == null ? "-" : percent(a.rate());
            String versus;
            if (a.arm().equals(controlArm)) {
                versus = "";
            } else if (byArm.containsKey(a.arm())) {
                versus = "   " + comparison(byArm.get(a.arm()), result.srm());
            } else if (a.share() == 0) {
                versus = "";
            } else {
                versus = "   no comparison yet";
            }
            lines.add(
                    String.format(
                            "    %-22s %8d %9d %6s%s",
                            a.arm(), a.exposed(), a.converted(), rate, versus));
        }
        return lines;
    }

    private static String split(ExperimentResult r) {
        if (r.srmPValue() == null) {
            return "no users yet";
        }
        if (r.srm()) {
            return String.format(
                    Locale.ROOT,
                    "SRM: the split of users does not match the shares (p %s), no result is"
                            + " trustworthy",
                    pValue(r.srmPValue()));
        }
        return String.format(
                Locale.ROOT, "split matches the shares (SRM p %s)", pValue(r.srmPValue()));
    }

    private static String comparison(Comparison c, boolean srm) {
        String verdict;
        if (c.significant()) {
            verdict = "significant";
        } else if (srm) {
            verdict = "not significant (SRM)";
        } else if (c.pValue() != null && c.pValue() < ExperimentStatistics.SIGNIFICANCE_LEVEL) {
            verdict = "not significant (too few users or conversions yet)";
        } else {
            verdict = "not significant";
        }
        return String.format(
                Locale.ROOT,
                "%+.1f pp [%+.1f, %+.1f] %s",
                c.diff() * 100,
                c.ci95()[0] * 100,
                c.ci95()[1] * 100,
                verdict);
    }

    private static String percent(double rate) {
        return String.format(Locale.ROOT, "%.1f%%", rate * 100);
    }

    private static String pValue(double p) {
        return p < 0.001 ? "< 0.001" : String.format(Locale.ROOT, "%.3f", p);
    }

    private static long count(Map<String, String> hash, String field) {
        try {
            return Math.max(0, Long.parseLong(hash.getOrDefault(field, "0")));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
