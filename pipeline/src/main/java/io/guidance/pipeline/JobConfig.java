package io.guidance.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.guidance.rules.Durations;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The job's settings: one typed, immutable object, read once at start from a YAML file (nested maps
 * flatten to dotted keys) and {@code --key value} overrides. Unknown keys and bad values fail at
 * once with the key named.
 */
public final class JobConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Every key the job reads, with its default. */
    static final Map<String, String> DEFAULTS;

    static {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("kafka.bootstrap", "localhost:9092");
        d.put("kafka.topic", "guidance-events");
        d.put("kafka.deadLetterTopic", "guidance-dead-letters");
        d.put("kafka.auditTopic", "guidance-audit");
        d.put("kafka.rulesTopic", "guidance-rules");
        d.put("kafka.groupId", "guidance");
        d.put("kafka.startingOffsets", "committed");
        d.put("events.maxOutOfOrderness", "2s");
        d.put("events.idleTimeout", "5s");
        d.put("events.watermarkInterval", "50ms");
        d.put("events.startupIdleTimeout", "60s");
        d.put("events.dedupWindow", "1h");
        d.put("events.sessionTimeout", "30m");
        d.put("events.userRetention", "90d");
        d.put("rules.file", "config/rules.yaml");
        d.put("redis.host", "localhost");
        d.put("redis.port", "6379");
        d.put("redis.uri", "");
        d.put("redis.database", "0");
        d.put("redis.user", "");
        d.put("redis.password", "");
        d.put("redis.tls", "false");
        d.put("redis.timeout", "2s");
        d.put("redis.prefix", "guidance");
        d.put("redis.batchSize", "500");
        d.put("redis.maxPending", "100000");
        d.put("redis.retryBackoff", "100ms");
        d.put("redis.retryBackoffMax", "5s");
        d.put("redis.flushInterval", "50ms");
        d.put("job.name", "guidance");
        d.put("job.parallelism", "2");
        d.put("job.maxParallelism", "128");
        d.put("job.checkpointInterval", "10s");
        d.put("job.checkpointTimeout", "2m");
        d.put("job.checkpointMode", "exactly_once");
        d.put("job.checkpointRetention", "retain_on_cancellation");
        d.put("job.stateBackend", "hashmap");
        DEFAULTS = Collections.unmodifiableMap(d);
    }

    private final Map<String, String> values;

    private JobConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
        // fail fast on every typed value
        maxOutOfOrderness();
        idleTimeout();
        watermarkInterval();
        detection();
        parallelism();
        maxParallelism();
        checkpointInterval();
        checkpointTimeout();
        startingOffsets();
        stateBackend();
        checkpointMode();
        checkpointRetention();
    }

    public static JobConfig defaults() {
        return new JobConfig(DEFAULTS);
    }

    /**
     * Sections of the same settings file that other components read, which the job skips: {@code
     * web.*} belongs to the HTTP service ({@code io.guidance.web.WebSettings}), which checks those
     * keys itself.
     */
    public static final List<String> OTHER_SECTIONS = List.of("web.");

    /**
     * A command line of settings: {@code --config FILE} and {@code --key value} pairs, as the job
     * takes them.
     */
    public record CommandLine(Path file, Map<String, String> overrides) {
        /** Throws {@link IllegalArgumentException} for anything but {@code --key value} pairs. */
        public static CommandLine parse(String[] args) {
            Path file = null;
            Map<String, String> overrides = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (!a.startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("expected --key value, got '" + a + "'");
                }
                String key = a.substring(2);
                String value = args[++i];
                if (key.equals("config")) {
                    file = Path.of(value);
                } else {
                    overrides.put(key, value);
                }
            }
            return new CommandLine(file, overrides);
        }
    }

    /** Reads {@code file} (may be null for defaults only), then applies {@code overrides}. */
    public static JobConfig load(Path file, Map<String, String> overrides) throws IOException {
        Map<String, String> v = new LinkedHashMap<>(DEFAULTS);
        if (file != null) {
            for (Map.Entry<String, String> e : readFlat(file).entrySet()) {
                put(v, e.getKey(), e.getValue(), file.toString());
            }
        }
        for (Map.Entry<String, String> o : overrides.entrySet()) {
            put(v, o.getKey(), o.getValue(), "--" + o.getKey());
        }
        return new JobConfig(v);
    }

    /**
     * Every setting in a YAML file with nested maps flattened to dotted keys, unchecked, in file
     * order; a list becomes its items joined with commas. For components that share the job's file
     * and check their own section.
     */
    public static Map<String, String> readFlat(Path file) throws IOException {
        Map<String, String> v = new LinkedHashMap<>();
        JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
        if (root != null && !root.isMissingNode() && !root.isNull()) {
            if (!root.isObject()) {
                throw new IllegalArgumentException(file + ": must be a map of settings");
            }
            flatten("", root, v);
        }
        return v;
    }

    public static JobConfig of(Map<String, String> overrides) {
        try {
            return load(null, overrides);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String key = prefix + f.getKey();
            JsonNode value = f.getValue();
            if (value.isObject()) {
                flatten(key + ".", value, out);
            } else if (value.isArray()) {
                List<String> items = new ArrayList<>();
                value.forEach(item -> items.add(item.asText()));
                out.put(key, String.join(",", items));
            } else {
                out.put(key, value.isNull() ? "" : value.asText());
            }
        }
    }

    private static void put(Map<String, String> out, String key, String value, String source) {
        for (String other : OTHER_SECTIONS) {
            if (key.startsWith(other)) {
                return;
            }
        }
        if (!DEFAULTS.containsKey(key)) {
            throw new IllegalArgumentException(
                    source
                            + ": unknown setting '"
                            + key
                            + "' (known: "
                            + String.join(", ", DEFAULTS.keySet())
                            + ")");
        }
        out.put(key, value);
    }

    public String get(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("unknown setting '" + key + "'");
        }
        return v;
    }

    /** All settings under a prefix, e.g. {@code redis.}, with full keys. */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> out = new TreeMap<>();
        values.forEach(
                (k, v) -> {
                    if (k.startsWith(prefix)) {
                        out.put(k, v);
                    }
                });
        return out;
    }

    public Map<String, String> asMap() {
        return values;
    }

    public JobConfig with(String key, String value) {
        Map<String, String> v = new LinkedHashMap<>(values);
        put(v, key, value, "setting");
        return new JobConfig(v);
    }

    public String kafkaBootstrap() {
        return get("kafka.bootstrap");
    }

    public String eventsTopic() {
        return get("kafka.topic");
    }

    public String deadLetterTopic() {
        return get("kafka.deadLetterTopic");
    }

    public String auditTopic() {
        return get("kafka.auditTopic");
    }

    public String rulesTopic() {
        return get("kafka.rulesTopic");
    }

    public String groupId() {
        return get("kafka.groupId");
    }

    /**
     * {@code committed} (resume from the group's offsets, else earliest), {@code earliest} or
     * {@code latest}.
     */
    public String startingOffsets() {
        String s = get("kafka.startingOffsets");
        if (!s.equals("committed") && !s.equals("earliest") && !s.equals("latest")) {
            throw new IllegalArgumentException(
                    "kafka.startingOffsets: must be committed, earliest or latest, not " + s);
        }
        return s;
    }

    public Duration maxOutOfOrderness() {
        return duration("events.maxOutOfOrderness", true);
    }

    /**
     * How often the sources emit a watermark. A trigger waits for the watermark, so it adds up to
     * this to every trigger's latency on top of the out-of-orderness bound; smaller costs a little
     * throughput.
     */
    public Duration watermarkInterval() {
        return duration("events.watermarkInterval", false);
    }

    /** Zero turns idle advancement off. */
    public Duration idleTimeout() {
        return duration("events.idleTimeout", true);
    }

    /**
     * How long a split with no event yet (an empty partition, or after a restore) waits before
     * following the clock.
     */
    public Duration startupIdleTimeout() {
        return duration("events.startupIdleTimeout", true);
    }

    public Duration dedupWindow() {
        return duration("events.dedupWindow", false);
    }

    /** How long the detection function remembers event ids, idle sessions and idle users. */
    public io.guidance.detect.DetectionSettings detection() {
        return new io.guidance.detect.DetectionSettings(
                dedupWindow().toMillis(),
                duration("events.sessionTimeout", false).toMillis(),
                duration("events.userRetention", false).toMillis());
    }

    public Path rulesFile() {
        return Path.of(get("rules.file"));
    }

    public String jobName() {
        return get("job.name");
    }

    public int parallelism() {
        return positiveInt("job.parallelism");
    }

    public int maxParallelism() {
        return positiveInt("job.maxParallelism");
    }

    public Duration checkpointInterval() {
        return duration("job.checkpointInterval", false);
    }

    public Duration checkpointTimeout() {
        return duration("job.checkpointTimeout", false);
    }

    /** {@code exactly_once} (default) or {@code at_least_once}, as Flink's checkpointing mode. */
    public String checkpointMode() {
        String s = get("job.checkpointMode");
        if (!s.equals("exactly_once") && !s.equals("at_least_once")) {
            throw new IllegalArgumentException(
                    "job.checkpointMode: must be exactly_once or at_least_once, not " + s);
        }
        return s.toUpperCase(java.util.Locale.ROOT);
    }

    /** What happens to the last checkpoint when the job is cancelled: kept (default) or deleted. */
    public String checkpointRetention() {
        String s = get("job.checkpointRetention");
        if (!s.equals("retain_on_cancellation") && !s.equals("delete_on_cancellation")) {
            throw new IllegalArgumentException(
                    "job.checkpointRetention: must be retain_on_cancellation or delete_on_cancellation, not "
                            + s);
        }
        return s.toUpperCase(java.util.Locale.ROOT);
    }

    public String stateBackend() {
        String s = get("job.stateBackend");
        if (!s.equals("hashmap") && !s.equals("rocksdb")) {
            throw new IllegalArgumentException(
                    "job.stateBackend: must be hashmap or rocksdb, not " + s);
        }
        return s;
    }

    private Duration duration(String key, boolean zeroAllowed) {
        long ms;
        try {
            ms = Durations.parse(get(key));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage());
        }
        if (ms < 0 || (ms == 0 && !zeroAllowed)) {
            throw new IllegalArgumentException(
                    key + ": must be " + (zeroAllowed ? "zero or more" : "positive"));
        }
        return Duration.ofMillis(ms);
    }

    private int positiveInt(String key) {
        try {
            int v = Integer.parseInt(get(key).trim());
            if (v < 1) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    key + ": must be a positive whole number, not '" + get(key) + "'");
        }
    }
}
