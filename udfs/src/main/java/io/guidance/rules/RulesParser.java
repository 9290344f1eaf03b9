package io.guidance.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Reads and validates a rules file (SPEC section 3). Validation does not stop at the first problem:
 * every problem of every rule is collected, each with its rule id, field and line, so a data team
 * fixes a file in one pass.
 */
public final class RulesParser {
    private static final Pattern ID = Pattern.compile("[a-z0-9-]+");
    private static final Set<String> TOP_FIELDS = Set.of("version", "delivery", "rules");
    private static final Set<String> DELIVERY_FIELDS =
            Set.of("ttl", "minGap", "maxPerDay", "cooldown");
    private static final Set<String> COMMON_FIELDS =
            Set.of("id", "guide", "kind", "priority", "cooldown", "enabled");
    private static final Map<String, Set<String>> KIND_FIELDS =
            Map.of(
                    StallRule.KIND, Set.of("start", "progress", "within"),
                    BurstRule.KIND, Set.of("match", "sameField", "count", "within"),
                    LoopRule.KIND, Set.of("match", "field", "times", "within"),
                    ThresholdRule.KIND,
                            Set.of("action", "target", "window", "nudgeFrom", "reachedGuide"),
                    ComebackRule.KIND, Set.of("gap"));
    private static final List<String> KIND_ORDER =
            List.of(
                    StallRule.KIND,
                    BurstRule.KIND,
                    LoopRule.KIND,
                    ThresholdRule.KIND,
                    ComebackRule.KIND);

    private final List<RuleProblem> problems = new ArrayList<>();
    private String ruleId;

    private RulesParser() {}

    public static RuleSet parseFile(Path file) throws IOException, RuleValidationException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    /** Parses rules text; {@code source} names it in messages (a file name, a topic). */
    public static RuleSet parse(String yaml, String source) throws RuleValidationException {
        return new RulesParser().read(yaml, source);
    }

    private RuleSet read(String yaml, String source) throws RuleValidationException {
        YamlNode root;
        try {
            root = YamlNode.parse(yaml);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 1 : e.getLocation().getLineNr();
            throw new RuleValidationException(
                    source,
                    List.of(
                            new RuleProblem(
                                    null,
                                    null,
                                    line,
                                    "not valid YAML: " + e.getOriginalMessage())));
        } catch (IOException e) {
            throw new RuleValidationException(
                    source, List.of(new RuleProblem(null, null, 1, e.getMessage())));
        }
        if (!root.isMap()) {
            problem(
                    null,
                    root.line(),
                    "the file must be a map with 'version', 'delivery' and 'rules'");
            throw new RuleValidationException(source, problems);
        }
        unknownAndDuplicateFields(root, TOP_FIELDS, null);

        int version = 1;
        if (root.get("version") != null) {
            version = (int) integer(root, "version", 1, Integer.MAX_VALUE, 1);
        }
        DeliverySettings delivery = delivery(root);

        List<Rule> rules = new ArrayList<>();
        YamlNode list = root.get("rules");
        if (list == null) {
            problem(
                    "rules",
                    root.line(),
                    "missing: the file must list its rules (an empty list is allowed)");
        } else if (list.kind() != YamlNode.Kind.NULL && !list.isList()) {
            problem("rules", root.lineOf("rules"), "must be a list of rules");
        } else {
            Map<String, Integer> seen = new HashMap<>();
            for (YamlNode r : list.items()) {
                Rule rule = rule(r, seen);
                if (rule != null) {
                    rules.add(rule);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new RuleValidationException(source, problems);
        }
        return new RuleSet(version, delivery, rules);
    }

    private DeliverySettings delivery(YamlNode root) {
        YamlNode d = root.get("delivery");
        DeliverySettings def = DeliverySettings.defaults();
        if (d == null) {
            return def;
        }
        if (!d.isMap()) {
            problem(
                    "delivery",
                    root.lineOf("delivery"),
                    "must be a map of ttl, minGap, maxPerDay, cooldown");
            return def;
        }
        unknownAndDuplicateFields(d, DELIVERY_FIELDS, "delivery.");
        long ttl = d.get("ttl") == null ? def.ttlMs : duration(d, "ttl", "delivery.ttl", def.ttlMs);
        long minGap =
                d.get("minGap") == null
                        ? def.minGapMs
                        : duration(d, "minGap", "delivery.minGap", def.minGapMs);
        long cooldown =
                d.get("cooldown") == null
                        ? def.cooldownMs
                        : duration(d, "cooldown", "delivery.cooldown", def.cooldownMs);
        int maxPerDay =
                d.get("maxPerDay") == null
                        ? def.maxPerDay
                        : (int)
                                integer(
                                        d,
                                        "maxPerDay",
                                        1,
                                        Integer.MAX_VALUE,
                                        def.maxPerDay,
                                        "delivery.maxPerDay");
        return new DeliverySettings(ttl, minGap, maxPerDay, cooldown);
    }

    private Rule rule(YamlNode r, Map<String, Integer> seen) {
        ruleId = null;
        if (!r.isMap()) {
            problem(null, r.line(), "a rule must be a map with at least id, guide and kind");
            return null;
        }
        YamlNode idNode = r.get("id");
        String id = null;
        if (idNode == null) {
            problem("id", r.line(), "missing");
        } else if (!idNode.isString() || !ID.matcher(idNode.text()).matches()) {
            problem("id", idNode.line(), "must be lower-case letters, digits and '-' ([a-z0-9-]+)");
        } else {
            id = idNode.text();
            ruleId = id;
            Integer first = seen.putIfAbsent(id, idNode.line());
            if (first != null) {
                problem("id", idNode.line(), "duplicate id, first used on line " + first);
            }
        }
        String guide = requiredString(r, "guide");
        String kind = requiredString(r, "kind");
        Set<String> kindFields = kind == null ? null : KIND_FIELDS.get(kind);
        if (kind != null && kindFields == null) {
            problem(
                    "kind",
                    r.get("kind").line(),
                    "unknown kind '" + kind + "' (known: " + String.join(", ", KIND_ORDER) + ")");
        }
        if (kindFields != null) {
            Set<String> allowed = new HashSet<>(COMMON_FIELDS);
            allowed.addAll(kindFields);
            unknownAndDuplicateFields(r, allowed, null);
        }
        int priority =
                r.get("priority") == null
                        ? 0
                        : (int) integer(r, "priority", Integer.MIN_VALUE, Integer.MAX_VALUE, 0);
        long cooldown = r.get("cooldown") == null ? -1 : duration(r, "cooldown", "cooldown", -1);
        boolean enabled = true;
        YamlNode en = r.get("enabled");
        if (en != null) {
            if (en.isScalar()
                    && !en.isString()
                    && ("true".equals(en.text()) || "false".equals(en.text()))) {
                enabled = Boolean.parseBoolean(en.text());
            } else {
                problem("enabled", en.line(), "must be true or false");
            }
        }
        if (kindFields == null) {
            return null;
        }
        int before = problems.size();
        Rule rule;
        switch (kind) {
            case StallRule.KIND:
                {
                    Matcher start = matcher(r, "start", true);
                    List<Matcher> progress = matchers(r, "progress");
                    long within = duration(r, "within", "within", 0);
                    rule =
                            new StallRule(
                                    id, guide, priority, cooldown, enabled, start, progress,
                                    within);
                    break;
                }
            case BurstRule.KIND:
                {
                    Matcher match = matcher(r, "match", true);
                    String sameField =
                            r.get("sameField") == null ? null : fieldName(r, "sameField");
                    int count = (int) integer(r, "count", 2, Integer.MAX_VALUE, 2);
                    long within = duration(r, "within", "within", 0);
                    rule =
                            new BurstRule(
                                    id, guide, priority, cooldown, enabled, match, sameField, count,
                                    within);
                    break;
                }
            case LoopRule.KIND:
                {
                    Matcher match = matcher(r, "match", true);
                    String field =
                            r.get("field") == null
                                    ? missing(r, "field", "an event field such as page")
                                    : fieldName(r, "field");
                    int times = (int) integer(r, "times", 2, Integer.MAX_VALUE, 2);
                    long within = duration(r, "within", "within", 0);
                    rule =
                            new LoopRule(
                                    id, guide, priority, cooldown, enabled, match, field, times,
                                    within);
                    break;
                }
            case ThresholdRule.KIND:
                {
                    Matcher action = matcher(r, "action", true);
                    int target = (int) integer(r, "target", 1, Integer.MAX_VALUE, 1);
                    int nudgeFrom = -1;
                    if (r.get("nudgeFrom") != null) {
                        nudgeFrom = (int) integer(r, "nudgeFrom", 0, Integer.MAX_VALUE, -1);
                        if (nudgeFrom >= target && r.get("target") != null) {
                            problem(
                                    "nudgeFrom",
                                    r.get("nudgeFrom").line(),
                                    "must be below target (" + target + "), not " + nudgeFrom);
                        }
                    }
                    String reachedGuide = null;
                    if (r.get("reachedGuide") != null) {
                        reachedGuide = requiredString(r, "reachedGuide");
                    }
                    boolean sinceFirstSeen = true;
                    long windowMs = 0;
                    YamlNode w = r.get("window");
                    if (w == null) {
                        problem(
                                "window",
                                r.line(),
                                "missing: {sinceFirstSeen: 10d} or {rolling: 7d}");
                    } else if (!w.isMap()
                            || w.fields().size() != 1
                            || !(w.get("sinceFirstSeen") != null || w.get("rolling") != null)) {
                        problem(
                                "window",
                                w.line(),
                                "must be exactly one of {sinceFirstSeen: DURATION} or {rolling: DURATION}");
                    } else {
                        sinceFirstSeen = w.get("sinceFirstSeen") != null;
                        String which = sinceFirstSeen ? "sinceFirstSeen" : "rolling";
                        windowMs = duration(w, which, "window." + which, 0);
                    }
                    rule =
                            new ThresholdRule(
                                    id,
                                    guide,
                                    priority,
                                    cooldown,
                                    enabled,
                                    action,
                                    target,
                                    sinceFirstSeen,
                                    windowMs,
                                    nudgeFrom,
                                    reachedGuide);
                    break;
                }
            case ComebackRule.KIND:
                {
                    long gap = duration(r, "gap", "gap", 0);
                    rule = new ComebackRule(id, guide, priority, cooldown, enabled, gap);
                    break;
                }
            default:
                throw new IllegalStateException("kind without a reader: " + kind);
        }
        return problems.size() == before && id != null && guide != null ? rule : null;
    }

    // ---- field readers: each records a problem and returns a placeholder when the value is
    // unusable ----

    private String missing(YamlNode map, String field, String what) {
        problem(field, map.line(), "missing: " + what);
        return null;
    }

    /** The name of an event field, as {@code sameField} and {@code field} take it. */
    private String fieldName(YamlNode map, String field) {
        YamlNode n = map.get(field);
        if (!n.isString() || !Matcher.isMatchableField(n.text())) {
            problem(field, n.line(), "must name an event field: type, page, target or props.NAME");
            return null;
        }
        return n.text();
    }

    private String requiredString(YamlNode map, String field) {
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

    private long integer(YamlNode map, String field, long min, long max, long fallback) {
        return integer(map, field, min, max, fallback, field);
    }

    private long integer(
            YamlNode map, String field, long min, long max, long fallback, String label) {
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

    private long duration(YamlNode map, String field, String label, long fallback) {
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

    private List<Matcher> matchers(YamlNode rule, String field) {
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

    private Matcher matcher(YamlNode rule, String field, boolean required) {
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

    private Matcher matcherNode(YamlNode n, String label) {
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

    private void unknownAndDuplicateFields(YamlNode map, Set<String> allowed, String prefix) {
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

    private void problem(String field, int line, String message) {
        problems.add(new RuleProblem(ruleId, field, line, message));
    }
}
