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

    /** What the rules of one kind have in common: their fields, before the kind's own. */
    private record Common(String id, String guide, int priority, long cooldown, boolean enabled) {}

    /** Reads the fields of one kind into its rule, recording problems as it goes. */
    private interface KindReader {
        Rule read(RulesParser parser, Common c, YamlNode r);
    }

    /** One kind of the rules file: its own fields and its reader. */
    private record Kind(Set<String> fields, KindReader reader) {}

    /** Every kind, in the order error messages list them: a new kind is one entry here. */
    private static final Map<String, Kind> KINDS = new LinkedHashMap<>();

    static {
        KINDS.put(
                StallRule.KIND,
                new Kind(Set.of("start", "progress", "within"), RulesParser::stall));
        KINDS.put(
                BurstRule.KIND,
                new Kind(Set.of("match", "sameField", "count", "within"), RulesParser::burst));
        KINDS.put(
                LoopRule.KIND,
                new Kind(Set.of("match", "field", "times", "within"), RulesParser::loop));
        KINDS.put(
                ThresholdRule.KIND,
                new Kind(
                        Set.of("action", "target", "window", "nudgeFrom", "reachedGuide"),
                        RulesParser::threshold));
        KINDS.put(ComebackRule.KIND, new Kind(Set.of("gap"), RulesParser::comeback));
    }

    private final RuleFieldReader fields = new RuleFieldReader();

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
            fields.problem(
                    null,
                    root.line(),
                    "the file must be a map with 'version', 'delivery' and 'rules'");
            throw new RuleValidationException(source, fields.problems());
        }
        fields.unknownAndDuplicateFields(root, TOP_FIELDS, null);

        int version = 1;
        if (root.get("version") != null) {
            version = (int) fields.integer(root, "version", 1, Integer.MAX_VALUE, 1);
        }
        DeliverySettings delivery = delivery(root);

        List<Rule> rules = new ArrayList<>();
        YamlNode list = root.get("rules");
        if (list == null) {
            fields.problem(
                    "rules",
                    root.line(),
                    "missing: the file must list its rules (an empty list is allowed)");
        } else if (list.kind() != YamlNode.Kind.NULL && !list.isList()) {
            fields.problem("rules", root.lineOf("rules"), "must be a list of rules");
        } else {
            Map<String, Integer> seen = new HashMap<>();
            for (YamlNode r : list.items()) {
                Rule rule = rule(r, seen);
                if (rule != null) {
                    rules.add(rule);
                }
            }
        }
        if (!fields.problems().isEmpty()) {
            throw new RuleValidationException(source, fields.problems());
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
            fields.problem(
                    "delivery",
                    root.lineOf("delivery"),
                    "must be a map of ttl, minGap, maxPerDay, cooldown");
            return def;
        }
        fields.unknownAndDuplicateFields(d, DELIVERY_FIELDS, "delivery.");
        long ttl =
                d.get("ttl") == null
                        ? def.ttlMs
                        : fields.duration(d, "ttl", "delivery.ttl", def.ttlMs);
        long minGap =
                d.get("minGap") == null
                        ? def.minGapMs
                        : fields.duration(d, "minGap", "delivery.minGap", def.minGapMs);
        long cooldown =
                d.get("cooldown") == null
                        ? def.cooldownMs
                        : fields.duration(d, "cooldown", "delivery.cooldown", def.cooldownMs);
        int maxPerDay =
                d.get("maxPerDay") == null
                        ? def.maxPerDay
                        : (int)
                                fields.integer(
                                        d,
                                        "maxPerDay",
                                        1,
                                        Integer.MAX_VALUE,
                                        def.maxPerDay,
                                        "delivery.maxPerDay");
        return new DeliverySettings(ttl, minGap, maxPerDay, cooldown);
    }

    private Rule rule(YamlNode r, Map<String, Integer> seen) {
        fields.ruleId = null;
        if (!r.isMap()) {
            fields.problem(null, r.line(), "a rule must be a map with at least id, guide and kind");
            return null;
        }
        YamlNode idNode = r.get("id");
        String id = null;
        if (idNode == null) {
            fields.problem("id", r.line(), "missing");
        } else if (!idNode.isString() || !ID.matcher(idNode.text()).matches()) {
            fields.problem(
                    "id", idNode.line(), "must be lower-case letters, digits and '-' ([a-z0-9-]+)");
        } else {
            id = idNode.text();
            fields.ruleId = id;
            Integer first = seen.putIfAbsent(id, idNode.line());
            if (first != null) {
                fields.problem("id", idNode.line(), "duplicate id, first used on line " + first);
            }
        }
        String guide = fields.requiredString(r, "guide");
        String kind = fields.requiredString(r, "kind");
        Kind k = kind == null ? null : KINDS.get(kind);
        if (kind != null && k == null) {
            fields.problem(
                    "kind",
                    r.get("kind").line(),
                    "unknown kind '"
                            + kind
                            + "' (known: "
                            + String.join(", ", KINDS.keySet())
                            + ")");
        }
        if (k != null) {
            Set<String> allowed = new HashSet<>(COMMON_FIELDS);
            allowed.addAll(k.fields());
            fields.unknownAndDuplicateFields(r, allowed, null);
        }
        int priority =
                r.get("priority") == null
                        ? 0
                        : (int)
                                fields.integer(
                                        r, "priority", Integer.MIN_VALUE, Integer.MAX_VALUE, 0);
        long cooldown =
                r.get("cooldown") == null ? -1 : fields.duration(r, "cooldown", "cooldown", -1);
        boolean enabled = true;
        YamlNode en = r.get("enabled");
        if (en != null) {
            if (en.isScalar()
                    && !en.isString()
                    && ("true".equals(en.text()) || "false".equals(en.text()))) {
                enabled = Boolean.parseBoolean(en.text());
            } else {
                fields.problem("enabled", en.line(), "must be true or false");
            }
        }
        if (k == null) {
            return null;
        }
        int before = fields.problems().size();
        Rule rule = k.reader().read(this, new Common(id, guide, priority, cooldown, enabled), r);
        return fields.problems().size() == before && id != null && guide != null ? rule : null;
    }

    // ---- the kinds' own fields ----

    private Rule stall(Common c, YamlNode r) {
        Matcher start = fields.matcher(r, "start", true);
        List<Matcher> progress = fields.matchers(r, "progress");
        long within = fields.duration(r, "within", "within", 0);
        return new StallRule(
                c.id, c.guide, c.priority, c.cooldown, c.enabled, start, progress, within);
    }

    private Rule burst(Common c, YamlNode r) {
        Matcher match = fields.matcher(r, "match", true);
        String sameField = r.get("sameField") == null ? null : fields.fieldName(r, "sameField");
        int count = (int) fields.integer(r, "count", 2, Integer.MAX_VALUE, 2);
        long within = fields.duration(r, "within", "within", 0);
        return new BurstRule(
                c.id, c.guide, c.priority, c.cooldown, c.enabled, match, sameField, count, within);
    }

    private Rule loop(Common c, YamlNode r) {
        Matcher match = fields.matcher(r, "match", true);
        String field =
                r.get("field") == null
                        ? fields.missing(r, "field", "an event field such as page")
                        : fields.fieldName(r, "field");
        int times = (int) fields.integer(r, "times", 2, Integer.MAX_VALUE, 2);
        long within = fields.duration(r, "within", "within", 0);
        return new LoopRule(
                c.id, c.guide, c.priority, c.cooldown, c.enabled, match, field, times, within);
    }

    private Rule threshold(Common c, YamlNode r) {
        Matcher action = fields.matcher(r, "action", true);
        int target = (int) fields.integer(r, "target", 1, Integer.MAX_VALUE, 1);
        int nudgeFrom = -1;
        if (r.get("nudgeFrom") != null) {
            nudgeFrom = (int) fields.integer(r, "nudgeFrom", 0, Integer.MAX_VALUE, -1);
            if (nudgeFrom >= target && r.get("target") != null) {
                fields.problem(
                        "nudgeFrom",
                        r.get("nudgeFrom").line(),
                        "must be below target (" + target + "), not " + nudgeFrom);
            }
        }
        String reachedGuide = null;
        if (r.get("reachedGuide") != null) {
            reachedGuide = fields.requiredString(r, "reachedGuide");
        }
        boolean sinceFirstSeen = true;
        long windowMs = 0;
        YamlNode w = r.get("window");
        if (w == null) {
            fields.problem("window", r.line(), "missing: {sinceFirstSeen: 10d} or {rolling: 7d}");
        } else if (!w.isMap()
                || w.fields().size() != 1
                || !(w.get("sinceFirstSeen") != null || w.get("rolling") != null)) {
            fields.problem(
                    "window",
                    w.line(),
                    "must be exactly one of {sinceFirstSeen: DURATION} or {rolling: DURATION}");
        } else {
            sinceFirstSeen = w.get("sinceFirstSeen") != null;
            String which = sinceFirstSeen ? "sinceFirstSeen" : "rolling";
            windowMs = fields.duration(w, which, "window." + which, 0);
        }
        return new ThresholdRule(
                c.id,
                c.guide,
                c.priority,
                c.cooldown,
                c.enabled,
                action,
                target,
                sinceFirstSeen,
                windowMs,
                nudgeFrom,
                reachedGuide);
    }

    private Rule comeback(Common c, YamlNode r) {
        long gap = fields.duration(r, "gap", "gap", 0);
        return new ComebackRule(c.id, c.guide, c.priority, c.cooldown, c.enabled, gap);
    }
}
