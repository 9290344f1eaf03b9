package io.guidance.rules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The field readers of {@link RulesParser}: each records a problem, with the rule id, field and
 * line, and returns a placeholder when the value is unusable, so that reading goes on and every
 * problem of a file is reported at once.
 */
final class RuleFieldReader {
    private final List<RuleProblem> problems = new ArrayList<>();

    /** The id of the rule being read, for the problems found in it; null outside a rule. */
    String ruleId;

    List<RuleProblem> problems() {
        return problems;
    }

    String missing(YamlNode map, String field, String what) {
        problem(field, map.line(), "missing: " + what);
        return null;
    }

    /** The name of an event field, as {@code sameField} and {@code field} take it. */
    String fieldName(YamlNode map, String field) {
        YamlNode n = map.get(field);
        if (!n.isString() || !Matcher.isMatchableField(n.text())) {
            problem(field, n.line(), "must name an event field: type, page, target or props.NAME");
            return null;
        }
        return n.text();
    }

    String requiredString(YamlNode map, String field) {
        YamlNode n = map.get(field);
        if (n == null) {
            problem(field, map.line(), "missing");
            return null;
        }
        if (!n.isString() || n.text().isEmpty()) {
            problem(field, n.line(), "must be a non-empty string");
            return null;
        }
        return n.text();
    }

    long integer(YamlNode map, String field, long min, long max, long fallback) {
        return integer(map, field, min, max, fallback, field);
    }

    long integer(YamlNode map, String field, long min, long max, long fallback, String label) {
        YamlNode n = map.get(field);
        if (n == null) {
            problem(label, map.line(), "missing");
            return fallback;
        }
        long v;
        try {
            if (!n.isScalar() || n.isString()) {
                throw new NumberFormatException();
            }
            v = Long.parseLong(n.text());
        } catch (NumberFormatException e) {
            problem(label, n.line(), "must be a whole number, not '" + n.text() + "'");
            return fallback;
        }
        if (v < min || v > max) {
            problem(
                    label,
                    n.line(),
                    "must be "
                            + (max == Integer.MAX_VALUE
                                    ? "at least " + min
                                    : "between " + min + " and " + max)
                            + ", not "
                            + v);
            return fallback;
        }
        return v;
    }

    long duration(YamlNode map, String field, String label, long fallback) {
        YamlNode n = map.get(field);
        if (n == null) {
            problem(label, map.line(), "missing");
            return fallback;
        }
        if (!n.isScalar()) {
            problem(label, n.line(), "must be a duration such as 8s, 2m or 10d");
            return fallback;
        }
        try {
            long ms = Durations.parse(n.text());
            if (ms <= 0) {
                problem(label, n.line(), "must be a positive duration, not " + n.text());
                return fallback;
            }
            return ms;
        } catch (IllegalArgumentException e) {
            problem(label, n.line(), e.getMessage());
            return fallback;
        }
    }

    List<Matcher> matchers(YamlNode rule, String field) {
        YamlNode n = rule.get(field);
        List<Matcher> out = new ArrayList<>();
        if (n == null) {
            problem(
                    field,
                    rule.line(),
                    "missing: a list of matchers, e.g. [{type: click, target: \"#pay\"}]");
            return out;
        }
        if (!n.isList() || n.items().isEmpty()) {
            problem(
                    field,
                    n.line(),
                    "must be a non-empty list of matchers, e.g. [{type: page_view}]");
            return out;
        }
        for (int i = 0; i < n.items().size(); i++) {
            Matcher m = matcherNode(n.items().get(i), field + "[" + i + "]");
            if (m != null) {
                out.add(m);
            }
        }
        return out;
    }

    Matcher matcher(YamlNode rule, String field, boolean required) {
        YamlNode n = rule.get(field);
        if (n == null) {
            if (required) {
                problem(
                        field,
                        rule.line(),
                        "missing: a matcher, e.g. {type: page_view, page: /checkout}");
            }
            return null;
        }
        return matcherNode(n, field);
    }

    Matcher matcherNode(YamlNode n, String label) {
        if (!n.isMap() || n.fields().isEmpty()) {
            problem(
                    label,
                    n.line(),
                    "must be a map from field (type, page, target, props.NAME) to pattern");
            return null;
        }
        for (String dup : n.duplicateKeys()) {
            problem(label + "." + dup, n.lineOf(dup), "listed twice");
        }
        Map<String, List<Glob>> patterns = new LinkedHashMap<>();
        for (Map.Entry<String, YamlNode> f : n.fields().entrySet()) {
            String name = f.getKey();
            YamlNode v = f.getValue();
            if (!Matcher.isMatchableField(name)) {
                problem(
                        label + "." + name,
                        n.lineOf(name),
                        "unknown event field (use type, page, target or props.NAME)");
                continue;
            }
            List<Glob> globs = new ArrayList<>();
            if (v.isScalar()) {
                globs.add(new Glob(v.text()));
            } else if (v.isList()
                    && !v.items().isEmpty()
                    && v.items().stream().allMatch(YamlNode::isScalar)) {
                v.items().forEach(i -> globs.add(new Glob(i.text())));
            } else {
                problem(
                        label + "." + name,
                        v.line(),
                        "must be a pattern or a non-empty list of patterns");
                continue;
            }
            patterns.put(name, globs);
        }
        return new Matcher(patterns);
    }

    void unknownAndDuplicateFields(YamlNode map, Set<String> allowed, String prefix) {
        String p = prefix == null ? "" : prefix;
        for (String name : map.fields().keySet()) {
            if (!allowed.contains(name)) {
                problem(
                        p + name,
                        map.lineOf(name),
                        "unknown field (allowed here: "
                                + String.join(", ", new TreeSet<>(allowed))
                                + ")");
            }
        }
        for (String dup : map.duplicateKeys()) {
            problem(p + dup, map.lineOf(dup), "listed twice");
        }
    }

    void problem(String field, int line, String message) {
        problems.add(new RuleProblem(ruleId, field, line, message));
    }
}
