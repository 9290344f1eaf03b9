package io.guidance.report;

import java.util.SortedMap;

/**
 * The funnel of one guide of one rule (SPEC section 7): its triggers by status, and how many of
 * them the feedback events say were shown, clicked, dismissed and completed, each counted once per
 * trigger id.
 */
public record GuideFunnel(
        String guide,
        SortedMap<String, Long> byStatus,
        long delivered,
        long shown,
        long clicked,
        long dismissed,
        long completed) {

    public long triggers() {
        return byStatus.values().stream().mapToLong(Long::longValue).sum();
    }
}
