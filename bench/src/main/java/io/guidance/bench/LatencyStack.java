package io.guidance.bench;

import io.guidance.local.LocalRedis;
import io.guidance.local.LocalStack;
import io.guidance.pipeline.JobConfig;
import io.guidance.pipeline.LiveRules;
import io.guidance.rules.RuleSet;
import io.guidance.trigger.Trigger;
import io.guidance.trigger.TriggerJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import redis.clients.jedis.RedisClient;

/**
 * What the latency benchmark runs against: Redis, Kafka and a producer for the whole benchmark; an
 * events and an audit topic and a fresh production job per run.
 */
final class LatencyStack implements AutoCloseable {
    /** Every run's job follows this one rules topic (empty: the rules come with the job). */
    static final String RULES_TOPIC = "bench-rules";

    static final String PREFIX = "guidance";

    private final LocalStack local;
    final KafkaProducer<String, byte[]> producer;
    private final RedisClient redis;

    /** Checkpoints go to a local directory, as they go to a durable one in production. */
    private final Path checkpoints;

    private LatencyStack(
            LocalStack local,
            KafkaProducer<String, byte[]> producer,
            RedisClient redis,
            Path checkpoints) {
        this.local = local;
        this.producer = producer;
        this.redis = redis;
        this.checkpoints = checkpoints;
    }

    /**
     * Starts Redis and the broker ({@link LocalStack}), a producer, and a Redis client that has
     * Redis publish its {@code set} key events (for {@link RedisTriggerWatch}).
     */
    static LatencyStack start() throws Exception {
        LocalStack local = LocalStack.start();
        KafkaProducer<String, byte[]> producer = null;
        RedisClient redis = null;
        try {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, local.bootstrapServers());
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                    ByteArraySerializer.class.getName());
            p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            producer = new KafkaProducer<>(p);
            redis =
                    RedisClient.builder()
                            .hostAndPort(local.redis().host(), local.redis().port())
                            .build();
            redis.configSet("notify-keyspace-events", "E$");
            LatencyBenchmark.log(
                    "Redis %s on port %d, Kafka on %s",
                    local.redis().binary(), local.redis().port(), local.bootstrapServers());
            return new LatencyStack(
                    local,
                    producer,
                    redis,
                    Files.createTempDirectory("guidance-bench-checkpoints-"));
        } catch (Exception | Error e) {
            closeAll(redis, producer, local);
            throw e;
        }
    }

    RedisClient redis() {
        return redis;
    }

    LocalRedis redisServer() {
        return local.redis();
    }

    /** A run's own events, audit and dead-letter topics; the rules topic is shared. */
    private static LocalStack.Topics topics(String phase) {
        return LocalStack.Topics.named("bench-" + phase).withRules(RULES_TOPIC);
    }

    /** Creates the topics of a run; returns the events topic. */
    String newPhase(String phase, int partitions) throws Exception {
        return local.createTopics(topics(phase), Math.max(2, partitions)).events();
    }

    JobConfig config(String phase, int parallelism) {
        return config(phase, parallelism, Map.of());
    }

    /** The job's settings for a run, with {@code overrides} (job settings) on top. */
    JobConfig config(String phase, int parallelism, Map<String, String> overrides) {
        return JobConfig.of(settings(phase, parallelism, overrides));
    }

    /** The settings behind {@link #config}, as a job in another JVM gets them. */
    Map<String, String> settings(String phase, int parallelism, Map<String, String> overrides) {
        Map<String, String> settings = local.settings(topics(phase));
        settings.put("kafka.groupId", "bench-" + phase);
        settings.put("redis.prefix", PREFIX);
        settings.put("job.name", "bench-latency-" + phase);
        settings.put("job.parallelism", Integer.toString(parallelism));
        settings.put("job.checkpointRetention", "delete_on_cancellation");
        settings.putAll(overrides);
        return settings;
    }

    /** Starts the production job in this JVM; see {@link LocalJobHost#startJob}. */
    JobClient startJob(JobConfig config, RuleSet rules) throws Exception {
        return LocalJobHost.startJob(config, LiveRules.of(rules), checkpoints);
    }

    void stopJob(JobClient job, String name) {
        LocalJobHost.stopJob(job, name);
    }

    /** Runs each job with {@code rules} in this JVM. */
    JobHost inThisJvm(RuleSet rules) {
        return new LocalJobHost(rules, checkpoints);
    }

    Path checkpoints() {
        return checkpoints;
    }

    /** Every trigger in an audit topic, read from its start to its current end. */
    List<Trigger> readAudit(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, local.bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        List<Trigger> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            c.partitionsFor(topic)
                    .forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end");
                }
                for (ConsumerRecord<String, String> rec : c.poll(Duration.ofMillis(500))) {
                    out.add(TriggerJson.fromJson(rec.value()));
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        closeAll(redis, producer, local);
        try {
            FileTrees.delete(checkpoints);
        } catch (IOException e) {
            LatencyBenchmark.log("could not delete %s: %s", checkpoints, e);
        }
    }

    private static void closeAll(AutoCloseable... resources) {
        for (AutoCloseable r : resources) {
            if (r == null) {
                continue;
            }
            try {
                if (r instanceof KafkaProducer) {
                    ((KafkaProducer<?, ?>) r).close(Duration.ofSeconds(5));
                } else {
                    r.close();
                }
            } catch (Exception e) {
                LatencyBenchmark.log("while closing: %s", e);
            }
        }
    }
}
