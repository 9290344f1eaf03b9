package io.guidance.pipeline;

import static io.guidance.pipeline.LivePipeline.EVENTS;
import static io.guidance.pipeline.LivePipeline.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.Event;
import io.guidance.event.EventJson;
import io.guidance.local.LocalStack;
import io.guidance.pipeline.kafka.DeadLetterSerializer;
import io.guidance.rules.RulesParser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/**
 * The live bound on event time ({@code events.maxFutureSkew}, default 1 h) in the production graph
 * against a real Kafka broker and a real Redis server. An event stamped in the year 2100 comes
 * first in a partition, then another user's checkout view stamped now: the far-future event is a
 * dead letter with reason {@code future} and its bytes, and the other user's stall still fires at
 * its deadline. Without the bound the first event would move the partition's event time to 2100,
 * and the checkout view after it would be late: no trigger.
 */
class FutureEventsPipelineTest {
    static final String JOB_NAME = "future-bound-test";
    static final Duration PATIENCE = Duration.ofSeconds(90);
    static final long YEAR_2100 = 4_102_444_800_000L;

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(InMemoryMetricReporter.enable(new Configuration()))
                            .build());

    static LocalStack stack;

    @BeforeAll
    static void startKafkaAndRedis() throws Exception {
        stack = LivePipeline.startStack();
    }

    @AfterAll
    static void stopKafkaAndRedis() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aFarFutureEventIsAFutureDeadLetterAndAStallInItsPartitionStillFires() throws Exception {
        JobConfig config =
                LivePipeline.config(
                        stack,
                        Map.of(
                                "kafka.groupId", "future-test",
                                "job.name", JOB_NAME,
                                "job.checkpointInterval", "1s"));
        assertThat(config.maxFutureSkew()).isEqualTo(Duration.ofHours(1));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(FlinkSettings.from(config));
        JobClient job =
                GuidanceJob.start(
                        env,
                        config,
                        LiveRules.of(RulesParser.parse(LivePipeline.CHECKOUT_STALL_2S, "test")));
        try (KafkaProducer<String, byte[]> producer = LivePipeline.producer(stack.kafka());
                RedisClient redis =
                        RedisClient.builder()
                                .hostAndPort(stack.redis().host(), stack.redis().port())
                                .build()) {
            long t0 = System.currentTimeMillis();
            byte[] farFuture =
                    EventJson.toJsonBytes(
                            new Event(
                                    "z1",
                                    "zed",
                                    "sz",
                                    YEAR_2100,
                                    "page_view",
                                    "/checkout",
                                    null,
                                    null));
            // all in partition 0, in this order: the far-future event first
            List<ProducerRecord<String, byte[]>> sent = new ArrayList<>();
            sent.add(new ProducerRecord<>(EVENTS, 0, "zed", farFuture));
            // ann stalls on checkout: fires at t0 + 2 s
            sent.add(LivePipeline.checkoutView(0, "a1", "ann", "s1", t0));
            // ben pays in time: nothing
            sent.add(LivePipeline.checkoutView(0, "b1", "ben", "s2", t0));
            sent.add(
                    new ProducerRecord<>(
                            EVENTS,
                            0,
                            "ben",
                            EventJson.toJsonBytes(
                                    new Event(
                                            "b2",
                                            "ben",
                                            "s2",
                                            t0 + 500,
                                            "click",
                                            "/checkout",
                                            "#pay",
                                            null))));
            LivePipeline.send(producer, sent);

            String annKey = "guidance:user:ann";
            waitFor("ann's trigger in Redis", () -> redis.get(annKey) != null, PATIENCE);
            assertThat(LivePipeline.triggerIdAt(redis, annKey))
                    .isEqualTo("checkout-stall|ann|s1|" + (t0 + 2_000));

            List<ConsumerRecord<byte[], byte[]>> dead = readDeadLetters(1);
            ConsumerRecord<byte[], byte[]> d = dead.get(0);
            assertThat(header(d, DeadLetterSerializer.REASON)).isEqualTo("future");
            assertThat(d.value()).isEqualTo(farFuture);
            assertThat(header(d, DeadLetterSerializer.SOURCE_TOPIC)).isEqualTo(EVENTS);
            assertThat(header(d, DeadLetterSerializer.SOURCE_PARTITION)).isEqualTo("0");
            assertThat(header(d, DeadLetterSerializer.SOURCE_OFFSET)).isEqualTo("0");
            // the clock is read when the record is read, between t0 and now; the detail names
            // it, and the whole days from it to the ts, with thousands separated
            String detail = header(d, DeadLetterSerializer.DETAIL);
            Matcher m =
                    Pattern.compile(
                                    "ts (\\d+) is ([0-9,]+) d ahead of the clock (\\d+);"
                                            + " events.maxFutureSkew 1h")
                            .matcher(detail);
            assertThat(m.matches()).as(detail).isTrue();
            assertThat(Long.parseLong(m.group(1))).isEqualTo(YEAR_2100);
            long clock = Long.parseLong(m.group(3));
            assertThat(clock).isBetween(t0, System.currentTimeMillis());
            long days = (YEAR_2100 - clock) / 86_400_000L;
            assertThat(m.group(2).replace(",", "")).isEqualTo(Long.toString(days));
            assertThat(m.group(2)).matches("\\d{1,3}(,\\d{3})+");

            // SPEC section 1: read = processed + dead-lettered + duplicates
            waitFor(
                    "the split and detection counters",
                    () ->
                            InMemoryMetricReporter.counter(JOB_NAME, "recordsRead") == 4
                                    && InMemoryMetricReporter.counter(JOB_NAME, "eventsProcessed")
                                            == 3,
                    PATIENCE);
            assertThat(InMemoryMetricReporter.counter(JOB_NAME, "deadLetters")).isEqualTo(1);
            assertThat(InMemoryMetricReporter.counter(JOB_NAME, "future")).isEqualTo(1);
            assertThat(InMemoryMetricReporter.counter(JOB_NAME, "duplicateEvents")).isZero();
            assertThat(redis.keys("guidance:user:*")).containsExactly(annKey);
        } finally {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Reads the dead-letter topic until {@code expected} records came, then a little longer to
     * catch extras.
     */
    static List<ConsumerRecord<byte[], byte[]>> readDeadLetters(int expected) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "future-dead-letter-reader");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of(LivePipeline.DEAD_LETTERS));
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
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
}
