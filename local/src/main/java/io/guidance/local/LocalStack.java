package io.guidance.local;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka and Redis on this machine, as the demo, the benchmarks and the tests need them: a real
 * Redis server ({@link LocalRedis}) and the in-process Kafka broker ({@link EmbeddedKafka}), the
 * topics of a job, and the {@code kafka.*}/{@code redis.*} settings that point a job or the web
 * service at them. Closing the stack stops both servers and deletes their files.
 *
 * <pre>{@code
 * try (LocalStack stack = LocalStack.start()) {
 *     LocalStack.Topics topics = stack.createTopics(LocalStack.Topics.named("bench"), 2);
 *     Map<String, String> settings = stack.settings(topics);   // kafka.*, redis.*
 *     settings.put("job.parallelism", "2");                    // add or override any key
 *     JobConfig config = JobConfig.of(settings);
 *     ...
 * }
 * }</pre>
 *
 * A stack creates each topic once: jobs may share a topic (two jobs reading one rules topic) by
 * naming it in both {@link Topics}. {@link #kafka()} and {@link #redis()} give the servers
 * themselves for anything else (more topics, a Redis restart, the broker's address).
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

    /**
     * The five topics one job uses, by name: the events it reads, the dead letters, the audit and
     * the experiment records it writes, and the compacted rules topic it follows.
     */
    public record Topics(
            String events, String deadLetters, String audit, String experiments, String rules) {
        /**
         * {@code PREFIX-events}, {@code PREFIX-dead-letters}, {@code PREFIX-audit}, {@code
         * PREFIX-experiments}, {@code PREFIX-rules}.
         */
        public static Topics named(String prefix) {
            return new Topics(
                    prefix + "-events",
                    prefix + "-dead-letters",
                    prefix + "-audit",
                    prefix + "-experiments",
                    prefix + "-rules");
        }

        /** The same topics with another rules topic, e.g. one that a second job shares. */
        public Topics withRules(String rulesTopic) {
            return new Topics(events, deadLetters, audit, experiments, rulesTopic);
        }
    }

    private final LocalRedis redis;
    private final EmbeddedKafka kafka;
    private final Set<String> created = new HashSet<>();

    private LocalStack(LocalRedis redis, EmbeddedKafka kafka) {
        this.redis = redis;
        this.kafka = kafka;
    }

    /**
     * Starts Redis, then the Kafka broker; no topics yet. If the broker fails to start, Redis is
     * stopped again before the failure is thrown.
     */
    public static LocalStack start() throws Exception {
        LocalRedis redis = LocalRedis.start();
        try {
            EmbeddedKafka kafka = EmbeddedKafka.start();
            LOG.info(
                    "Local stack: Redis on port {}, Kafka on {}",
                    redis.port(),
                    kafka.bootstrapServers());
            return new LocalStack(redis, kafka);
        } catch (Exception | Error e) {
            redis.close();
            throw e;
        }
    }

    /** {@link #start()}, then {@link #createTopics(Topics, int)}. */
    public static LocalStack start(Topics topics, int partitions) throws Exception {
        LocalStack stack = start();
        try {
            stack.createTopics(topics, partitions);
            return stack;
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    /**
     * Creates a job's topics that this stack has not created yet: events, audit and experiments
     * with {@code partitions} partitions, dead letters with one, rules compacted with one (the
     * SPEC's rules topic is read whole by every subtask).
     *
     * @return {@code topics}, for chaining
     */
    public synchronized Topics createTopics(Topics topics, int partitions) throws Exception {
        create(topics.events(), partitions, false);
        create(topics.deadLetters(), 1, false);
        create(topics.audit(), partitions, false);
        create(topics.experiments(), partitions, false);
        create(topics.rules(), 1, true);
        return topics;
    }

    private void create(String topic, int partitions, boolean compacted) throws Exception {
        if (!created.add(topic)) {
            return;
        }
        if (compacted) {
            kafka.createCompactedTopic(topic, partitions);
        } else {
            kafka.createTopic(topic, partitions);
        }
    }

    /**
     * The settings that connect to this stack: {@code kafka.bootstrap}, {@code redis.host} and
     * {@code redis.port}. A new mutable map each call, so callers add their own keys.
     */
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("kafka.bootstrap", kafka.bootstrapServers());
        s.put("redis.host", redis.host());
        s.put("redis.port", Integer.toString(redis.port()));
        return s;
    }

    /**
     * {@link #settings()} plus the job's topics ({@code kafka.topic}, {@code
     * kafka.deadLetterTopic}, {@code kafka.auditTopic}, {@code kafka.experimentsTopic}, {@code
     * kafka.rulesTopic}) and {@code kafka.startingOffsets: earliest}, so that a job sees what was
     * produced before it started. A new mutable map each call.
     */
    public Map<String, String> settings(Topics topics) {
        Map<String, String> s = settings();
        s.put("kafka.topic", topics.events());
        s.put("kafka.deadLetterTopic", topics.deadLetters());
        s.put("kafka.auditTopic", topics.audit());
        s.put("kafka.experimentsTopic", topics.experiments());
        s.put("kafka.rulesTopic", topics.rules());
        s.put("kafka.startingOffsets", "earliest");
        return s;
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public LocalRedis redis() {
        return redis;
    }

    /** {@code host:port} of the broker, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /**
     * For an owner whose own shutdown hook closes the stack (the demo): the broker and Redis no
     * longer stop on their own when the JVM shuts down, so the owner can still read them first.
     */
    public void leaveClosingToOwner() {
        kafka.leaveClosingToOwner();
        redis.leaveClosingToOwner();
    }

    /** Stops the broker, then Redis; each is stopped even if the other fails to. */
    @Override
    public void close() {
        try {
            kafka.close();
        } finally {
            redis.close();
        }
    }

    @Override
    public String toString() {
        return "LocalStack{kafka=" + kafka.bootstrapServers() + ", redis=" + redis.uri() + "}";
    }
}
