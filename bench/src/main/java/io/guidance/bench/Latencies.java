package io.guidance.bench;

import java.util.Arrays;
import java.util.List;

/**
 * Percentiles of one set of latencies, in milliseconds (nearest rank); all zero when there are
 * none.
 */
public final class Latencies {
    public final int count;
    public final long p50;
    public final long p99;
    public final long max;
    public final long min;

    Latencies(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        count = v.length;
        p50 = rank(v, 0.50);
        p99 = rank(v, 0.99);
        max = count == 0 ? 0 : v[count - 1];
        min = count == 0 ? 0 : v[0];
    }

    static Latencies of(List<Long> values) {
        return new Latencies(values.stream().mapToLong(Long::longValue).toArray());
    }

    private static long rank(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
