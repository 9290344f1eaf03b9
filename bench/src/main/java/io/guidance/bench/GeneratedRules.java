package io.guidance.bench;

import io.guidance.rules.RuleSet;
import io.guidance.rules.RuleValidationException;
import io.guidance.rules.RulesParser;

/**
 * Any number of rules of all five kinds, made from the rules of config/rules.yaml with other ids,
 * guides, event types and thresholds, written as a rules file and read by {@link RulesParser} like
 * any other.
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
