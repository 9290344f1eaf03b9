package io.guidance.pipeline;

/**
 * Operator uids, which are also the operators' names, so the web UI and the metrics use the same
 * words. A uid identifies an operator's state in savepoints: never change one. With {@code
 * pipeline.auto-generate-uids: false}, Flink refuses a graph in which an operator lacks one.
 */
public final class Uids {
    public static final String EVENTS_SOURCE = "events-source";
    public static final String SPLIT_RECORDS = "split-records";
    public static final String RULES_SOURCE = "rules-source";
    public static final String DETECT = "detect";
    public static final String REDIS_SINK = "redis-sink";
    public static final String DEAD_LETTER_SINK = "dead-letter-sink";
    public static final String AUDIT_SINK = "audit-sink";
    public static final String EXPERIMENT_TOTALS = "experiment-totals";
    public static final String EXPERIMENTS_SINK = "experiments-sink";
    public static final String EXPERIMENT_TOTALS_SINK = "experiment-totals-sink";
    public static final String FEEDBACK_EVENTS = "feedback-events";
    public static final String FUNNEL_JOIN = "funnel-join";
    public static final String FUNNEL_TOTALS = "funnel-totals";
    public static final String FUNNEL_TOTALS_SINK = "funnel-totals-sink";
    // replay only: its file source and the step that parses lines
    public static final String REPLAY_SOURCE = "replay-source";
    public static final String REPLAY_RULES = "replay-rules";
    public static final String REPLAY_PARSE = "replay-parse";
    public static final String REPLAY_WATERMARKS = "replay-watermarks";
    public static final String REPLAY_TRIGGERS_OUT = "replay-triggers-out";
    public static final String REPLAY_DEAD_LETTERS_OUT = "replay-dead-letters-out";
    public static final String REPLAY_DUPLICATES_OUT = "replay-duplicates-out";
    public static final String REPLAY_EXPERIMENTS_OUT = "replay-experiments-out";

    private Uids() {}
}
