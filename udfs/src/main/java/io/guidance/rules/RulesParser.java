package io.guidance.rules;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.guidance.event.Utf8;
import io.guidance.experiment.Assignment;
import io.guidance.experiment.Experiment;
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
import org.yaml.snakeyaml.scanner.ScannerException;

/**
 * Reads and validates a rules file (SPEC section 3), with its experiments (section 7). Validation
 * does not stop at the first problem: every problem of every rule is collected, each with its rule
 * id, field and line, so a data team fixes a file in one pass.
 */
public final class RulesParser {
    private static final Pattern ID = Pattern.compile("[a-z0-9-]+");
    private static final Set<String> TOP_FIELDS = Set.of("version", "delivery", "rules");
    private static final Set<String> DELIVERY_FIELDS =
            Set.of("ttl", "minGap", "maxPerDay", "cooldown", "holdout", "goal", "goalWindow");
    private static final Set<String> COMMON_FIELDS =
            Set.of("id", "guide", "kind", "priority", "cooldown", "enabled", "experiment");
    private static final Set<String> EXPERIMENT_FIELDS =
            Set.of("variants", "control", "goal", "window", "salt");

    /** The most of its users the program may hold back (SPEC section 7). */
    static final int MAX_HOLDOUT = 50;

    /** The most of a rule's users its control may hold (SPEC section 7). */
    static final int MAX_CONTROL = 90;

    /**
     * A rule experiment's {@code window} when the block leaves it out: the program's default goal
     * window, so that both kinds of experiment measure over the same span unless told otherwise.
     */
    static final long DEFAULT_EXPERIMENT_WINDOW = DeliverySettings.DEFAULT_GOAL_WINDOW;

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
        byte[] bytes = Files.readAllBytes(file);
        // a problem with its line, not a MalformedInputException that names neither
        int invalid = Utf8.firstInvalid(bytes);
        if (invalid >= 0) {
            throw new RuleValidationException(
                    file.toString(),
                    List.of(
                            new RuleProblem(
                                    null,
                                    null,
                                    lineOfByte(bytes, invalid),
                                    "the file is not UTF-8: " + Utf8.describe(bytes, invalid))));
        }
        return parse(new String(bytes, StandardCharsets.UTF_8), file.toString());
    }

    /**
     * The line of a YAML syntax error. A structural error (a flow map never closed) is reported
     * where the construct opens, the line to fix, which is Jackson's location; a lexical one (a tab
     * where YAML needs spaces) where the scanner met the character, since the construct it names is
     * only the whitespace before it.
     */
    private static int syntaxErrorLine(JsonProcessingException e) {
        if (e.getCause() instanceof ScannerException m && m.getProblemMark() != null) {
            return m.getProblemMark().getLine() + 1;
        }
        return e.getLocation() == null ? 1 : e.getLocation().getLineNr();
    }

    /** The line (from 1) that holds byte {@code offset}. */
    private static int lineOfByte(byte[] bytes, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (bytes[i] == '\n') {
                line++;
            }
        }
        return line;
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
            int line = syntaxErrorLine(e);
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
        Map<String, Experiment> experiments = new LinkedHashMap<>();
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
                Rule rule = rule(r, seen, experiments);
                if (rule != null) {
                    rules.add(rule);
                }
            }
        }
        if (!fields.problems().isEmpty()) {
            throw new RuleValidationException(source, fields.problems());
        }
        return new RuleSet(version, delivery, rules, experiments);
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
                    "must be a map of ttl, minGap, maxPerDay, cooldown, holdout, goal, goalWindow");
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
        int holdout =
                d.get("holdout") == null
                        ? 0
                        : (int) fields.integer(d, "holdout", 0, MAX_HOLDOUT, 0, "delivery.holdout");
        Matcher goal =
                d.get("goal") == null ? null : fields.matcherNode(d.get("goal"), "delivery.goal");
        if (d.get("goal") == null && holdout > 0) {
            fields.problem(
                    "delivery.goal",
                    d.lineOf("holdout"),
                    "missing: a holdout needs the program's conversion, e.g. {type: purchase}");
        }
        long goalWindow =
                d.get("goalWindow") == null
                        ? DeliverySettings.DEFAULT_GOAL_WINDOW
                        : fields.duration(
                                d,
                                "goalWindow",
                                "delivery.goalWindow",
                                DeliverySettings.DEFAULT_GOAL_WINDOW);
        return new DeliverySettings(ttl, minGap, maxPerDay, cooldown, holdout, goal, goalWindow);
    }

    private Rule rule(YamlNode r, Map<String, Integer> seen, Map<String, Experiment> experiments) {
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
        int before = fields.problems().size();
        Rule rule =
                k == null
                        ? null
                        : k.reader()
                                .read(this, new Common(id, guide, priority, cooldown, enabled), r);
        Experiment experiment = r.get("experiment") == null ? null : experiment(r, id);
        if (rule == null || fields.problems().size() != before || id == null || guide == null) {
            return null;
        }
        if (experiment != null) {
            experiments.put(id, experiment);
        }
        return rule;
    }

    // ---- a rule's experiment (SPEC section 7) ----

    /**
     * The rule's {@code experiment} block, or null when it has problems (recorded). Every field is
     * checked even after one fails, so that all of a block's problems are listed at once.
     */
    private Experiment experiment(YamlNode r, String ruleId) {
        YamlNode x = r.get("experiment");
        int at = r.lineOf("experiment");
        if (!x.isMap()) {
            fields.problem(
                    "experiment",
                    at,
                    "must be a map of variants, control, goal, window and salt, e.g."
                            + " {variants: {guide-a: 50}, control: 50, goal: {type: purchase}}");
            return null;
        }
        int before = fields.problems().size();
        fields.unknownAndDuplicateFields(x, EXPERIMENT_FIELDS, "experiment.");

        Map<String, Integer> variants = variants(x, at);
        int control =
                x.get("control") == null
                        ? 0
                        : (int)
                                fields.integer(
                                        x, "control", 0, MAX_CONTROL, -1, "experiment.control");
        boolean sharesRead = variants != null && control >= 0;
        if (sharesRead) {
            int sum = control;
            for (int share : variants.values()) {
                sum += share;
            }
            if (sum != 100) {
                StringBuilder parts = new StringBuilder();
                variants.forEach(
                        (guide, share) ->
                                parts.append(guide).append(' ').append(share).append(" + "));
                fields.problem(
                        "experiment.variants",
                        x.lineOf("variants"),
                        "variants and control must sum to 100, not "
                                + sum
                                + " ("
                                + parts
                                + "control "
                                + control
                                + ")");
            }
        }

        Matcher goal = null;
        if (x.get("goal") == null) {
            fields.problem(
                    "experiment.goal",
                    at,
                    "missing: the experiment's conversion, a matcher such as {type: purchase}");
        } else {
            goal = fields.matcherNode(x.get("goal"), "experiment.goal");
        }
        long window =
                x.get("window") == null
                        ? DEFAULT_EXPERIMENT_WINDOW
                        : fields.duration(
                                x, "window", "experiment.window", DEFAULT_EXPERIMENT_WINDOW);

        String salt = ruleId;
        YamlNode s = x.get("salt");
        if (s != null) {
            if (!s.isString() || s.text().isEmpty()) {
                fields.problem(
                        "experiment.salt",
                        s.line(),
                        "must be a non-empty string (quote a number: \"2\")");
            } else if (Assignment.HOLDOUT_SALT.equals(s.text())) {
                // same buckets as the holdout: the first arm would lose the held-back users
                fields.problem(
                        "experiment.salt",
                        s.line(),
                        "'"
                                + Assignment.HOLDOUT_SALT
                                + "' is the program holdout's salt; choose another");
            } else {
                salt = s.text();
            }
        }
        if (fields.problems().size() != before || ruleId == null || salt == null) {
            return null;
        }
        return new Experiment(ruleId, variants, control, goal, window, salt);
    }

    /**
     * {@code experiment.variants}: guide id -> share, in the order written; null when a name or a
     * share is unusable or no share is above 0 (recorded).
     */
    private Map<String, Integer> variants(YamlNode x, int experimentLine) {
        YamlNode v = x.get("variants");
        if (v == null) {
            fields.problem(
                    "experiment.variants",
                    experimentLine,
                    "missing: guide id -> percent of the rule's users, e.g. {cart-reminder: 50}");
            return null;
        }
        if (!v.isMap() || v.fields().isEmpty()) {
            fields.problem(
                    "experiment.variants",
                    x.lineOf("variants"),
                    "must be a non-empty map from guide id to percent, e.g. {cart-reminder: 50}");
            return null;
        }
        boolean usable = true;
        for (String dup : v.duplicateKeys()) {
            fields.problem("experiment.variants." + dup, v.lineOf(dup), "listed twice");
            usable = false;
        }
        Map<String, Integer> variants = new LinkedHashMap<>();
        boolean anyPositive = false;
        for (String guide : v.fields().keySet()) {
            String label = "experiment.variants." + guide;
            if (!ID.matcher(guide).matches()) {
                fields.problem(
                        label,
                        v.lineOf(guide),
                        "a variant is a guide id: lower-case letters, digits and '-' ([a-z0-9-]+)");
                usable = false;
            } else if (Experiment.CONTROL.equals(guide)) {
                fields.problem(
                        label,
                        v.lineOf(guide),
                        "'control' names the arm that gets nothing; give its share as control: N");
                usable = false;
            }
            int share = (int) fields.integer(v, guide, 0, 100, -1, label);
            if (share < 0) {
                usable = false;
            }
            anyPositive |= share > 0;
            variants.put(guide, share);
        }
        if (usable && !anyPositive) {
            fields.problem(
                    "experiment.variants",
                    x.lineOf("variants"),
                    "at least one variant needs a share above 0");
            return null;
        }
        return usable ? variants : null;
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
