package io.guidance.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.Event;
import io.guidance.event.EventJson;
import io.guidance.local.EmbeddedKafka;
import io.guidance.local.LocalRedis;
import io.guidance.local.LocalStack;
import io.guidance.pipeline.kafka.DeadLetterSerializer;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import io.guidance.trigger.Trigger;
import io.guidance.trigger.TriggerJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/**
 * The production graph ({@link GuidanceJob#define}) on a MiniCluster with parallelism 2, against a
 * real Kafka broker and a real Redis server: events in, exact triggers in Redis, exact dead letters
 * in Kafka. Event times are "now", and nothing is sent after the stalls begin, so the triggers also
 * prove that event time advances on an idle input.
 */
class KafkaToRedisPipelineTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    static final String EVENTS = LivePipeline.EVENTS;
    static final String DEAD_LETTERS = LivePipeline.DEAD_LETTERS;
    static final String AUDIT = LivePipeline.AUDIT;
    static final String RULES = LivePipeline.CHECKOUT_STALL_2S;

    static LocalStack stack;
    static EmbeddedKafka kafka;
    static LocalRedis redis;

    @BeforeAll
    static void startKafkaAndRedis() throws Exception {
        stack = LivePipeline.startStack();
        kafka = stack.kafka();
        redis = stack.redis();
    }

    @AfterAll
    static void stopKafkaAndRedis() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void stallsReachRedisAndBadRecordsReachTheDeadLetterTopic() throws Exception {
        JobConfig config =
                LivePipeline.config(
                        stack,
                        Map.of("kafka.groupId", "pipeline-test", "job.checkpointInterval", "1s"));
        RuleSet rules = RulesParser.parse(RULES, "test");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(FlinkSettings.from(config));
        JobClient job = GuidanceJob.start(env, config, LiveRules.of(rules));
        try (KafkaProducer<String, byte[]> producer = producer();
                RedisClient client =
                        RedisClient.builder().hostAndPort(redis.host(), redis.port()).build()) {
            long t0 = System.currentTimeMillis();
            List<ProducerRecord<String, byte[]>> sent = new ArrayList<>();
            // ann stalls on checkout: fires at t0 + 2 s
            sent.add(record("ann", event("a1", "ann", "s1", t0, "page_view", "/checkout", null)));
            // bob pays in time: nothing
            sent.add(record("bob", event("b1", "bob", "s2", t0, "page_view", "/checkout", null)));
            sent.add(
                    record(
                            "bob",
                            event("b2", "bob", "s2", t0 + 1_000, "click", "/checkout", "#pay")));
            // cid comes back to checkout: the wait restarts and fires at t0 + 3.5 s
            sent.add(record("cid", event("c1", "cid", "s3", t0, "page_view", "/checkout", null)));
            sent.add(
                    record(
                            "cid",
                            event("c2", "cid", "s3", t0 + 1_500, "page_view", "/checkout", null)));
            // dee pays; a retry of her first view with the same id would restart the wait if it
            // were not a duplicate
            sent.add(record("dee", event("d1", "dee", "s4", t0, "page_view", "/checkout", null)));
            sent.add(
                    record(
                            "dee",
                            event("d2", "dee", "s4", t0 + 500, "click", "/checkout", "#pay")));
            sent.add(
                    record(
                            "dee",
                            event("d1", "dee", "s4", t0 + 1_000, "page_view", "/checkout", null)));
            // three bad records
            byte[] notJson = "this is not json".getBytes(StandardCharsets.UTF_8);
            byte[] noUser =
                    ("{\"eventId\":\"x1\",\"sessionId\":\"s9\",\"ts\":"
                                    + t0
                                    + ",\"type\":\"click\"}")
                            .getBytes(StandardCharsets.UTF_8);
            byte[] longPage =
                    event("x2", "eve", "s5", t0, "page_view", "/" + "p".repeat(1_024), null);
            sent.add(new ProducerRecord<>(EVENTS, "x", notJson));
            sent.add(new ProducerRecord<>(EVENTS, "x", noUser));
            sent.add(new ProducerRecord<>(EVENTS, "eve", longPage));
            for (ProducerRecord<String, byte[]> r : sent) {
                producer.send(r);
            }
            producer.flush();

            // once ann's partition has a watermark, an event a minute older than her view is late
            Thread.sleep(1_500);
            byte[] late = event("a0", "ann", "s1", t0 - 60_000, "page_view", "/checkout", null);
            producer.send(record("ann", late)).get();

            String annKey = "guidance:user:ann";
            String cidKey = "guidance:user:cid";
            waitFor(() -> client.get(annKey) != null && client.get(cidKey) != null, 60);
            // two more checkpoints: a wrong trigger for bob or dee, due earlier than cid's, would
            // be flushed by now
            Thread.sleep(2_500);

            Trigger ann = TriggerJson.fromJson(client.get(annKey));
            assertThat(ann.triggerId).isEqualTo("checkout-stall|ann|s1|" + (t0 + 2_000));
            assertThat(ann.expiresAt).isEqualTo(t0 + 2_000 + 600_000);
            assertThat(client.pexpireTime(annKey)).isEqualTo(t0 + 2_000 + 600_000);
            assertThat(TriggerJson.fromJson(client.get(cidKey)).triggerId)
                    .isEqualTo("checkout-stall|cid|s3|" + (t0 + 3_500));
            assertThat(client.get("guidance:user:bob")).isNull();
            assertThat(client.get("guidance:user:dee")).isNull();
            assertThat(client.keys("guidance:user:*")).containsExactlyInAnyOrder(annKey, cidKey);

            List<ConsumerRecord<byte[], byte[]>> dead = readDeadLetters(4);
            Map<String, byte[]> byReason = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : dead) {
                byReason.put(header(r, DeadLetterSerializer.REASON), r.value());
                assertThat(header(r, DeadLetterSerializer.SOURCE_TOPIC)).isEqualTo(EVENTS);
                assertThat(Long.parseLong(header(r, DeadLetterSerializer.SOURCE_OFFSET)))
                        .isNotNegative();
            }
            assertThat(byReason).containsOnlyKeys("not_json", "missing_field", "too_long", "late");
            assertThat(byReason.get("not_json")).isEqualTo(notJson);
            assertThat(byReason.get("missing_field")).isEqualTo(noUser);
            assertThat(byReason.get("too_long")).isEqualTo(longPage);
            assertThat(byReason.get("late")).isEqualTo(late);
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    static byte[] event(
            String id,
            String user,
            String session,
            long ts,
            String type,
            String page,
            String target) {
        return EventJson.toJsonBytes(new Event(id, user, session, ts, type, page, target, null));
    }

    static ProducerRecord<String, byte[]> record(String key, byte[] value) {
        return new ProducerRecord<>(EVENTS, key, value);
    }

    static KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /**
     * Reads the dead-letter topic until {@code expected} records came, then a little longer to
     * catch extras.
     */
    static List<ConsumerRecord<byte[], byte[]>> readDeadLetters(int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "dead-letter-reader");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(DEAD_LETTERS));
            long deadline = System.currentTimeMillis() + 60_000;
            while (out.size() < expected && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
            }
            consumer.poll(Duration.ofSeconds(2)).forEach(out::add);
        }
        assertThat(out).as("dead letters").hasSize(expected);
        return out;
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    static void waitFor(java.util.function.BooleanSupplier condition, int seconds)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1_000L;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("condition not met within " + seconds + " s");
            }
            Thread.sleep(100);
        }
    }
}
