package io.guidance.config;

import java.time.Duration;
import java.util.List;

/**
 * The job's own keys of the settings file ({@code kafka.*}, {@code events.*}, {@code rules.*},
 * {@code job.*}) with their types, defaults and checks. Declared here, beside the toolkit, because
 * the job reads them all and the web service reads the Kafka ones and checks the rest of the shared
 * file the same way; the {@code redis.*} keys are declared by {@code
 * io.guidance.redis.RedisSettings}, the {@code web.*} keys by the web service.
 */
public final class JobKeys {
    private JobKeys() {}

    public static final Setting<String> KAFKA_BOOTSTRAP =
            Setting.text("kafka.bootstrap", "localhost:9092", "Kafka bootstrap servers");
    public static final Setting<String> KAFKA_TOPIC =
            Setting.text(
                    "kafka.topic",
                    "guidance-events",
                    "the events topic (producers key records by userId)");
    public static final Setting<String> KAFKA_DEAD_LETTER_TOPIC =
            Setting.text(
                    "kafka.deadLetterTopic",
                    "guidance-dead-letters",
                    "where bad and late records go");
    public static final Setting<String> KAFKA_AUDIT_TOPIC =
            Setting.text(
                    "kafka.auditTopic", "guidance-audit", "every trigger with its delivery status");
    public static final Setting<String> KAFKA_EXPERIMENTS_TOPIC =
            Setting.text(
                    "kafka.experimentsTopic",
                    "guidance-experiments",
                    "every exposure and conversion of an experiment (SPEC section 7)");
    public static final Setting<String> KAFKA_RULES_TOPIC =
            Setting.text("kafka.rulesTopic", "guidance-rules", "published rule sets (compacted)");
    public static final Setting<String> KAFKA_GROUP_ID =
            Setting.text(
                    "kafka.groupId",
                    "guidance",
                    "consumer group; offsets are committed on checkpoints");
    public static final Setting<String> KAFKA_STARTING_OFFSETS =
            Setting.oneOf(
                    "kafka.startingOffsets",
                    "committed",
                    "committed (else earliest), earliest or latest, when not restoring state",
                    "committed",
                    "earliest",
                    "latest");

    public static final Setting<Duration> MAX_OUT_OF_ORDERNESS =
            Setting.duration(
                    "events.maxOutOfOrderness", "2s", true, "allowed disorder of event time");
    public static final Setting<Duration> IDLE_TIMEOUT =
            Setting.duration(
                    "events.idleTimeout",
                    "5s",
                    true,
                    "quiet time after which a partition's event time follows the clock; 0s turns"
                            + " it off");
    public static final Setting<Duration> WATERMARK_INTERVAL =
            Setting.duration(
                    "events.watermarkInterval",
                    "50ms",
                    false,
                    "how often sources emit a watermark");
    public static final Setting<Duration> STARTUP_IDLE_TIMEOUT =
            Setting.duration(
                    "events.startupIdleTimeout",
                    "60s",
                    true,
                    "a partition with no event yet since the start follows the wall clock after"
                            + " this");
    public static final Setting<Duration> MAX_FUTURE_SKEW =
            Setting.duration(
                    "events.maxFutureSkew",
                    "1h",
                    true,
                    "how far ahead of the clock a live event's ts may be; further is a dead letter"
                            + " (future); 0s turns it off; replays have no bound");
    public static final Setting<Duration> DEDUP_WINDOW =
            Setting.duration(
                    "events.dedupWindow",
                    "1h",
                    false,
                    "how long (event time) an eventId is remembered");
    public static final Setting<Duration> SESSION_TIMEOUT =
            Setting.duration(
                    "events.sessionTimeout", "30m", false, "a session idle this long is forgotten");
    public static final Setting<Duration> USER_RETENTION =
            Setting.duration(
                    "events.userRetention", "90d", false, "a user idle this long is forgotten");
    public static final Setting<Duration> FEEDBACK_GRACE =
            Setting.duration(
                    "events.feedbackGrace",
                    "1h",
                    false,
                    "the live guide funnel counts feedback naming a trigger until this long after"
                            + " the trigger expires");

    public static final Setting<String> RULES_FILE =
            Setting.text(
                    "rules.file",
                    "config/rules.yaml",
                    "the rules a job starts with when the rules topic has none");

    public static final Setting<String> JOB_NAME = Setting.text("job.name", "guidance", "job name");
    public static final Setting<Integer> PARALLELISM =
            Setting.integer("job.parallelism", 2, 1, Integer.MAX_VALUE, "parallelism");
    public static final Setting<Integer> MAX_PARALLELISM =
            Setting.integer(
                    "job.maxParallelism",
                    128,
                    1,
                    Integer.MAX_VALUE,
                    "maximum parallelism (key groups)");
    public static final Setting<Duration> CHECKPOINT_INTERVAL =
            Setting.duration("job.checkpointInterval", "10s", false, "how often to checkpoint");
    public static final Setting<Duration> CHECKPOINT_TIMEOUT =
            Setting.duration(
                    "job.checkpointTimeout", "2m", false, "how long a checkpoint may take");
    public static final Setting<String> CHECKPOINT_MODE =
            Setting.oneOf(
                    "job.checkpointMode",
                    "exactly_once",
                    "Flink's checkpointing mode",
                    "exactly_once",
                    "at_least_once");
    public static final Setting<String> CHECKPOINT_RETENTION =
            Setting.oneOf(
                    "job.checkpointRetention",
                    "retain_on_cancellation",
                    "what happens to the last checkpoint when the job is cancelled",
                    "retain_on_cancellation",
                    "delete_on_cancellation");
    public static final Setting<String> STATE_BACKEND =
            Setting.oneOf(
                    "job.stateBackend", "hashmap", "Flink's state backend", "hashmap", "rocksdb");

    public static final Setting<Duration> BUFFER_TIMEOUT =
            Setting.duration(
                    "job.bufferTimeout",
                    "10ms",
                    true,
                    "longest a record waits in a network buffer before it is sent downstream; 0s"
                            + " sends every record at once");

    /** Every key above, in the order of the README's table. */
    public static final List<Setting<?>> ALL =
            List.of(
                    KAFKA_BOOTSTRAP,
                    KAFKA_TOPIC,
                    KAFKA_DEAD_LETTER_TOPIC,
                    KAFKA_AUDIT_TOPIC,
                    KAFKA_EXPERIMENTS_TOPIC,
                    KAFKA_RULES_TOPIC,
                    KAFKA_GROUP_ID,
                    KAFKA_STARTING_OFFSETS,
                    MAX_OUT_OF_ORDERNESS,
                    IDLE_TIMEOUT,
                    WATERMARK_INTERVAL,
                    STARTUP_IDLE_TIMEOUT,
                    MAX_FUTURE_SKEW,
                    DEDUP_WINDOW,
                    SESSION_TIMEOUT,
                    USER_RETENTION,
                    FEEDBACK_GRACE,
                    RULES_FILE,
                    JOB_NAME,
                    PARALLELISM,
                    MAX_PARALLELISM,
                    CHECKPOINT_INTERVAL,
                    CHECKPOINT_TIMEOUT,
                    CHECKPOINT_MODE,
                    CHECKPOINT_RETENTION,
                    STATE_BACKEND,
                    BUFFER_TIMEOUT);
}
