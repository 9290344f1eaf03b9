package io.guidance.report;

import java.util.List;
import java.util.SortedMap;

/**
 * What a rule did over the triggers read, delivered and suppressed: its triggers by status and per
 * UTC day, the users it reached, the most guides it delivered to one user in one day, its
 * suppressions by reason, and the funnel of each of its guides.
 *
 * @param inRules false for a rule that has triggers but is not in the rules file
 * @param perDay UTC day ({@code 2026-01-31}) -> status -> triggers
 * @param usersReached distinct users with a delivered trigger
 * @param maxGuidesPerUserDay the most delivered triggers of this rule one user got in one UTC day
 * @param suppressions reason (the status after {@code suppressed:}) -> triggers
 */
public record RuleBacktest(
        String ruleId,
        boolean inRules,
        long triggers,
        SortedMap<String, Long> byStatus,
        SortedMap<String, SortedMap<String, Long>> perDay,
        long usersReached,
        long maxGuidesPerUserDay,
        SortedMap<String, Long> suppressions,
        List<GuideFunnel> funnel) {

    public long delivered() {
        return byStatus.getOrDefault(ReportCollector.DELIVERED, 0L);
    }
}
