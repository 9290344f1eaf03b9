package io.guidance.pipeline;

import io.guidance.config.JobKeys;
import io.guidance.config.Setting;
import io.guidance.config.Settings;
import io.guidance.detect.DetectionSettings;
import io.guidance.redis.RedisSettings;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The job's settings: one typed, immutable object, read once at start from a YAML file (nested maps
 * flatten to dotted keys) and {@code --key value} overrides. Unknown keys and bad values fail at
 * once with the key named. The keys are declared in {@link JobKeys} and, for {@code redis.*}, in
 * {@link RedisSettings}.
 */
public final class JobConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Every key the job reads: its own and the Redis sink's. */
    public static final List<Setting<?>> KEYS;

    static {
        List<Setting<?>> keys = new ArrayList<>(JobKeys.ALL);
        keys.addAll(RedisSettings.SETTINGS);
        KEYS = Collections.unmodifiableList(keys);
    }

    /**
     * Sections of the same settings file that other components read, which the job skips: {@code
     * web.*} belongs to the HTTP service ({@code io.guidance.web.WebSettings}), which checks those
     * keys itself.
     */
    public static final List<String> OTHER_SECTIONS = List.of("web.");

    private final Settings settings;

    private JobConfig(Settings settings) {
        this.settings = settings;
    }

    public static JobConfig defaults() {
        return of(Map.of());
    }

    /** Reads {@code file} (may be null for defaults only), then applies {@code overrides}. */
    public static JobConfig load(Path file, Map<String, String> overrides) throws IOException {
        return new JobConfig(Settings.load(KEYS, OTHER_SECTIONS, file, overrides));
    }

    public static JobConfig of(Map<String, String> overrides) {
        return new JobConfig(Settings.of(KEYS, OTHER_SECTIONS, overrides));
    }

    public String get(String key) {
        return settings.text(key);
    }

    public <T> T get(Setting<T> setting) {
        return settings.get(setting);
    }

    /** All settings under a prefix, e.g. {@code redis.}, with full keys. */
    public Map<String, String> withPrefix(String prefix) {
        return settings.withPrefix(prefix);
    }

    public Map<String, String> asMap() {
        return settings.asMap();
    }

    public JobConfig with(String key, String value) {
        return new JobConfig(settings.with(key, value));
    }

    public RedisSettings redis() {
        return RedisSettings.fromMap(withPrefix("redis."));
    }

    public String kafkaBootstrap() {
        return get(JobKeys.KAFKA_BOOTSTRAP);
    }

    public String eventsTopic() {
        return get(JobKeys.KAFKA_TOPIC);
    }

    public String deadLetterTopic() {
        return get(JobKeys.KAFKA_DEAD_LETTER_TOPIC);
    }

    public String auditTopic() {
        return get(JobKeys.KAFKA_AUDIT_TOPIC);
    }

    public String experimentsTopic() {
        return get(JobKeys.KAFKA_EXPERIMENTS_TOPIC);
    }

    public String rulesTopic() {
        return get(JobKeys.KAFKA_RULES_TOPIC);
    }

    public String groupId() {
        return get(JobKeys.KAFKA_GROUP_ID);
    }

    /**
     * {@code committed} (resume from the group's offsets, else earliest), {@code earliest} or
     * {@code latest}.
     */
    public String startingOffsets() {
        return get(JobKeys.KAFKA_STARTING_OFFSETS);
    }

    public Duration maxOutOfOrderness() {
        return get(JobKeys.MAX_OUT_OF_ORDERNESS);
    }

    /**
     * How often the sources emit a watermark. A trigger waits for the watermark, so it adds up to
     * this to every trigger's latency on top of the out-of-orderness bound; smaller costs a little
     * throughput.
     */
    public Duration watermarkInterval() {
        return get(JobKeys.WATERMARK_INTERVAL);
    }

    /** Zero turns idle advancement off. */
    public Duration idleTimeout() {
        return get(JobKeys.IDLE_TIMEOUT);
    }

    /**
     * How long a split with no event yet (an empty partition, or after a restore) waits before
     * following the clock.
     */
    public Duration startupIdleTimeout() {
        return get(JobKeys.STARTUP_IDLE_TIMEOUT);
    }

    /**
     * How far ahead of the clock a live event's {@code ts} may be; zero turns the bound off. Only
     * the Kafka source applies it: replays have no clock.
     */
    public Duration maxFutureSkew() {
        return get(JobKeys.MAX_FUTURE_SKEW);
    }

    public Duration dedupWindow() {
        return get(JobKeys.DEDUP_WINDOW);
    }

    /** How long the detection function remembers event ids, idle sessions and idle users. */
    public DetectionSettings detection() {
        return new DetectionSettings(
                dedupWindow().toMillis(),
                get(JobKeys.SESSION_TIMEOUT).toMillis(),
                get(JobKeys.USER_RETENTION).toMillis(),
                get(JobKeys.FEEDBACK_GRACE).toMillis());
    }

    public Path rulesFile() {
        return Path.of(get(JobKeys.RULES_FILE));
    }

    public String jobName() {
        return get(JobKeys.JOB_NAME);
    }

    public int parallelism() {
        return get(JobKeys.PARALLELISM);
    }

    public int maxParallelism() {
        return get(JobKeys.MAX_PARALLELISM);
    }

    public Duration checkpointInterval() {
        return get(JobKeys.CHECKPOINT_INTERVAL);
    }

    public Duration checkpointTimeout() {
        return get(JobKeys.CHECKPOINT_TIMEOUT);
    }

    /** {@code EXACTLY_ONCE} (default) or {@code AT_LEAST_ONCE}, as Flink's checkpointing mode. */
    public String checkpointMode() {
        return get(JobKeys.CHECKPOINT_MODE).toUpperCase(Locale.ROOT);
    }

    /**
     * What happens to the last checkpoint when the job is cancelled: {@code RETAIN_ON_CANCELLATION}
     * (default) or {@code DELETE_ON_CANCELLATION}.
     */
    public String checkpointRetention() {
        return get(JobKeys.CHECKPOINT_RETENTION).toUpperCase(Locale.ROOT);
    }

    /**
     * Flink's network buffer timeout for the live job: how long a record may wait in a partly
     * filled buffer between operators. Flink's own default (100 ms) is paid at every shuffle, on
     * top of the watermark interval and the Redis flush; replays keep Flink's default and favour
     * throughput.
     */
    public Duration bufferTimeout() {
        return get(JobKeys.BUFFER_TIMEOUT);
    }

    /** {@code hashmap} or {@code rocksdb}. */
    public String stateBackend() {
        return get(JobKeys.STATE_BACKEND);
    }
}
