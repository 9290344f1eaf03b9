package io.guidance.bench;

import io.guidance.event.Event;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RuleValidationException;
import io.guidance.rules.RulesParser;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Generated rule sets, written as a rules file and read by {@link RulesParser} like any other.
 *
 * <ul>
 *   <li>{@link #of}: the stress set. Any number of rules of all five kinds, made from the rules of
 *       config/rules.yaml with other ids, guides, event types and thresholds: nearly every rule can
 *       act on every event of its type, so triggers grow with the rules.
 *   <li>{@link #perCategory}: the realistic set. A shop's rules written per product category, one
 *       rule for each of the most frequent categories of the data: 70 % stalls (viewed items of the
 *       category, then no add-to-cart or purchase of it), 20 % bursts and 10 % loops over the
 *       category's item views. An event meets the few rules of its own category.
 * </ul>
 */
public final class GeneratedRules {
    private static final String[] SHOP_TYPES = {"add_to_cart", "favorite", "purchase", "page_view"};

    private GeneratedRules() {}

    public static RuleSet of(int n) {
        try {
            return RulesParser.parse(yaml(n), "generated-" + n);
        } catch (RuleValidationException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String yaml(int n) {
        StringBuilder y =
                new StringBuilder(256 + 200 * n)
                        .append("version: 1\n")
                        .append("delivery: {ttl: 10m, minGap: 2m, maxPerDay: 5, cooldown: 1d}\n")
                        .append("rules:\n");
        for (int i = 0; i < n; i++) {
            y.append(rule(i));
        }
        return y.toString();
    }

    /**
     * The realistic set: rule {@code i} for the {@code i}-th most frequent category ({@link
     * #categoriesByFrequency}).
     */
    public static RuleSet perCategory(int n, List<String> categories) {
        try {
            return RulesParser.parse(perCategoryYaml(n, categories), "per-category-" + n);
        } catch (RuleValidationException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String perCategoryYaml(int n, List<String> categories) {
        if (categories.size() < n) {
            throw new IllegalArgumentException(
                    n
                            + " rules per category, but the events have only "
                            + categories.size()
                            + " categories");
        }
        StringBuilder y =
                new StringBuilder(256 + 200 * n)
                        .append("version: 1\n")
                        .append("delivery: {ttl: 10m, minGap: 2m, maxPerDay: 5, cooldown: 1d}\n")
                        .append("rules:\n");
        for (int i = 0; i < n; i++) {
            y.append(categoryRule(i, categories.get(i)));
        }
        return y.toString();
    }

    /**
     * The values of {@code props.category} in the events (the Taobao importer puts the category
     * there), most frequent first; equal counts in the order of the text.
     */
    public static List<String> categoriesByFrequency(List<Event> events) {
        Map<String, Integer> counts = new HashMap<>();
        for (Event e : events) {
            String c = e.props == null ? null : e.props.get("category");
            if (c != null) {
                counts.merge(c, 1, Integer::sum);
            }
        }
        List<String> out = new ArrayList<>(counts.keySet());
        out.sort(
                Comparator.comparing((String c) -> counts.get(c))
                        .reversed()
                        .thenComparing(Comparator.naturalOrder()));
        return out;
    }

    /**
     * Rule {@code i} of the realistic set, over one category: of every ten, seven stalls, two
     * bursts, one loop.
     */
    static String categoryRule(int i, String category) {
        String guide = "category-guide-" + (i % 37);
        String views = inCategory("page_view", category);
        switch (i % 10) {
            case 7:
            case 8:
                return String.format(
                        Locale.ROOT,
                        "  - {id: category-burst-%d, guide: %s, kind: burst, match: %s, count: %d,"
                                + " within: %dm}\n",
                        i,
                        guide,
                        views,
                        4 + i % 5,
                        2 + i % 4);
            case 9:
                return String.format(
                        Locale.ROOT,
                        "  - {id: category-loop-%d, guide: %s, kind: loop, match: %s, field: page,"
                                + " times: %d, within: %dm}\n",
                        i,
                        guide,
                        views,
                        2 + i % 3,
                        5 + i % 10);
            default:
                return String.format(
                        Locale.ROOT,
                        "  - {id: category-stall-%d, guide: %s, kind: stall, start: %s, progress:"
                                + " [%s, %s], within: %dm, priority: %d}\n",
                        i,
                        guide,
                        views,
                        inCategory("add_to_cart", category),
                        inCategory("purchase", category),
                        10 + i % 20,
                        i % 10);
        }
    }

    private static String inCategory(String type, String category) {
        return "{type: " + type + ", props.category: \"" + category + "\"}";
    }

    /** Rule {@code i}: the kinds take turns, the first one matches most of the data. */
    static String rule(int i) {
        String guide = "guide-" + (i % 37);
        String type = SHOP_TYPES[(i / 8) % SHOP_TYPES.length];
        switch (i % 8) {
            case 0:
                return "  - {id: category-browse-"
                        + i
                        + ", guide: "
                        + guide
                        + ", kind: burst,"
                        + " match: {type: page_view, page: \"/item/*\"}, sameField: props.category,"
                        + " count: "
                        + (4 + i % 9)
                        + ", within: "
                        + (2 + i % 8)
                        + "m}\n";
            case 1:
                return "  - {id: item-loop-"
                        + i
                        + ", guide: "
                        + guide
                        + ", kind: loop,"
                        + " match: {type: page_view, page: \"/item/*\"}, field: page,"
                        + " times: "
                        + (2 + i % 4)
                        + ", within: "
                        + (5 + i % 15)
                        + "m}\n";
            case 2:
                return "  - {id: cart-stall-"
                        + i
                        + ", guide: "
                        + guide
                        + ", kind: stall, start: {type: "
                        + type
                        + "},"
                        + " progress: [{type: purchase}], within: "
                        + (10 + i % 50)
                        + "m, priority: "
                        + (i % 10)
                        + "}\n";
            case 3:
                return "  - {id: three-purchases-"
                        + i
                        + ", guide: "
                        + guide
                        + ", kind: threshold,"
                        + " action: {type: "
                        + type
                        + "}, target: "
                        + (2 + i % 5)
                        + ","
                        + " window: {"
                        + (i % 2 == 0 ? "sinceFirstSeen" : "rolling")
                        + ": "
                        + (3 + i % 7)
                        + "d},"
                        + " nudgeFrom: 1, reachedGuide: reached-"
                        + (i % 11)
                        + "}\n";
            case 4:
                return "  - {id: welcome-back-"
                        + i
                        + ", guide: "
                        + guide
                        + ", kind: comeback, gap: "
                        + (1 + i % 5)
                        + "d}\n";
            case 5:
                return "  - {id: rage-click-"
                        + i
                        + ", guide: "
                        + guide
                        + ", kind: burst, match: {type: click},"
                        + " sameField: target, count: "
                        + (3 + i % 4)
                        + ", within: "
                        + (1 + i % 3)
                        + "s, priority: 10}\n";
            case 6:
                return "  - {id: checkout-stall-"
                        + i
                        + ", guide: "
                        + guide
                        + ", kind: stall,"
                        + " start: {type: page_view, page: /checkout},"
                        + " progress: [{type: page_view}, {type: click, target: \"#pay\"}], within: "
                        + (5 + i % 20)
                        + "s}\n";
            default:
                return "  - {id: favorite-stall-"
                        + i
                        + ", guide: "
                        + guide
                        + ", kind: stall, start: {type: favorite},"
                        + " progress: [{type: add_to_cart}, {type: purchase}], within: "
                        + (10 + i % 30)
                        + "m}\n";
        }
    }
}
