package io.guidance.funnel;

import java.util.Arrays;

/**
 * Running totals of one rule's guide funnel: per guide, the number of triggers per status and of
 * trigger ids shown, clicked, dismissed and completed. Absolute values, so writing them again is
 * harmless. A Flink POJO (arrays, so its serializer needs no Kryo).
 */
public class GuideFunnelTotals {
    public String ruleId;

    /** Guides in the order first seen. */
    public String[] guides = new String[0];

    /** {@code guide/measure}, in the order first counted. */
    public String[] fields = new String[0];

    public long[] counts = new long[0];

    public GuideFunnelTotals() {}

    public GuideFunnelTotals(String ruleId) {
        this.ruleId = ruleId;
    }

    /** Counts one step. */
    public void count(FunnelStep s) {
        if (!Arrays.asList(guides).contains(s.guide)) {
            guides = Arrays.copyOf(guides, guides.length + 1);
            guides[guides.length - 1] = s.guide;
        }
        String field = s.guide + '/' + s.measure;
        for (int i = 0; i < fields.length; i++) {
            if (fields[i].equals(field)) {
                counts[i]++;
                return;
            }
        }
        int n = fields.length;
        fields = Arrays.copyOf(fields, n + 1);
        counts = Arrays.copyOf(counts, n + 1);
        fields[n] = field;
        counts[n] = 1;
    }

    /** The count of {@code guide/measure}; 0 when never counted. */
    public long countOf(String guide, String measure) {
        String field = guide + '/' + measure;
        for (int i = 0; i < fields.length; i++) {
            if (fields[i].equals(field)) {
                return counts[i];
            }
        }
        return 0;
    }

    public GuideFunnelTotals copy() {
        GuideFunnelTotals c = new GuideFunnelTotals(ruleId);
        c.guides = guides.clone();
        c.fields = fields.clone();
        c.counts = counts.clone();
        return c;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(ruleId);
        for (int i = 0; i < fields.length; i++) {
            b.append(' ').append(fields[i]).append('=').append(counts[i]);
        }
        return b.toString();
    }
}
