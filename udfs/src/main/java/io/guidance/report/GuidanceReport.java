package io.guidance.report;

import io.guidance.experiment.stats.ExperimentResult;
import java.util.List;

/**
 * Everything {@code guidance report} shows: per rule its backtest and guide funnels, per experiment
 * its results, and what was read, skipped or could not be matched.
 *
 * @param experimentsNotInRules "experiment (salt)" of each experiment that has records but is not
 *     in the rules (an old salt, a removed rule): reported with share 0, so without an SRM check
 * @param conversionsWithoutExposure users with a conversion record but no exposure record in the
 *     same experiment, salt and arm: not counted as converted
 * @param feedbackEvents feedback events that named a trigger id of the triggers read
 * @param unmatchedFeedback feedback events whose {@code props.triggerId} names no trigger read
 * @param feedbackWithoutTriggerId feedback events with no {@code props.triggerId}
 */
public record GuidanceReport(
        List<RuleBacktest> rules,
        List<ExperimentResult> experiments,
        List<String> experimentsNotInRules,
        long conversionsWithoutExposure,
        long feedbackEvents,
        long unmatchedFeedback,
        long feedbackWithoutTriggerId,
        List<InputLines> inputs) {}
