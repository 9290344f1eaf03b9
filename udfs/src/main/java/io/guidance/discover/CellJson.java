package io.guidance.discover;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A cell as one line of {@code cells.jsonl}, with the field names of SPEC section 8; a figure whose
 * denominator is 0 is left out.
 */
public final class CellJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private CellJson() {}

    public static String toJson(Cell c) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("action", c.action())
                .put("count", c.count())
                .put("days", c.days())
                .put("n11", c.n11())
                .put("n10", c.n10())
                .put("n01", c.n01())
                .put("n00", c.n00())
                .put("phi", c.phi())
                .put("shareAbove", c.shareAbove());
        putIfPresent(n, "ppv", c.ppv());
        putIfPresent(n, "sensitivity", c.sensitivity());
        putIfPresent(n, "specificity", c.specificity());
        putIfPresent(n, "npv", c.npv());
        return n.toString();
    }

    private static void putIfPresent(ObjectNode n, String name, Double value) {
        if (value != null) {
            n.put(name, value);
        }
    }
}
