package io.guidance.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.Event;
import io.guidance.event.EventJson;
import io.guidance.local.KafkaBrokerProcess;
import io.guidance.local.LocalRedis;
import io.guidance.pipeline.replay.Replay;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import io.guidance.trigger.Trigger;
import io.guidance.trigger.TriggerJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
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
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * The Kafka broker restarted under a running job: the broker a process of its own ({@link
 * KafkaBrokerProcess}, as {@link FlinkClusterIT} runs it), the job on a MiniCluster with a
 * checkpoint every second. Events go in, the broker is stopped (a controlled shutdown) right after
 * the job read the second batch, while stalls of that batch are still due, and stays down until two
 * checkpoints have come and gone; it starts again on the same port and log directory and the rest
 * of the events go in. The triggers in Redis then equal those of a replay of the same events
 * ({@link Replay#run}, a run without the fault), and so do the decisions on the audit topic, which
 * is at-least-once (README), compared distinct by trigger id and status.
 */
class KafkaBrokerRestartIT {
    private static final String EVENTS = "guidance-events";
    private static final String DEAD_LETTERS = "guidance-dead-letters";
    private static final String AUDIT = "guidance-audit";
    private static final String RULES_TOPIC = "guidance-rules";
    private static final String JOB = "broker-restart";
    private static final long WITHIN = 2_000;
    private static final Duration PATIENCE = Duration.ofSeconds(180);

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .setConfiguration(InMemoryMetricReporter.enable(new Configuration()))
                            .build());

    @TempDir static Path dir;

    private static KafkaBrokerProcess kafka;
    private static LocalRedis redis;

    @BeforeAll
    static void startKafkaAndRedis() throws Exception {
        kafka =
                KafkaBrokerProcess.start(
                        dir.resolve("kafka"),
                        Path.of("target", "kafka-broker-restart-it", "kafka.log"),
                        Files.readString(Path.of("target", "kafka-broker-classpath.txt")).trim());
        kafka.createTopics(Map.of(EVENTS, 2, DEAD_LETTERS, 1, AUDIT, 2), RULES_TOPIC);
        redis = LocalRedis.start();
    }

    @AfterAll
    static void stopKafkaAndRedis() throws Exception {
        if (kafka != null) {
            kafka.close();
            assertThat(kafka.isRunning()).as("broker stopped").isFalse();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void afterTheBrokerRestartsRedisAndTheAuditHoldWhatARunWithoutTheFaultGives() throws Exception {
        Map<String, String> settings = new HashMap<>();
        settings.put("kafka.bootstrap", kafka.bootstrap());
        settings.put("kafka.topic", EVENTS);
        settings.put("kafka.deadLetterTopic", DEAD_LETTERS);
        settings.put("kafka.auditTopic", AUDIT);
        settings.put("kafka.rulesTopic", RULES_TOPIC);
        settings.put("kafka.startingOffsets", "earliest");
        settings.put("kafka.groupId", JOB);
        settings.put("redis.host", redis.host());
        settings.put("redis.port", Integer.toString(redis.port()));
        settings.put("job.name", JOB);
        settings.put("job.parallelism", "2");
        settings.put("job.checkpointInterval", "1s");
        // a checkpoint whose audit records wait for the stopped broker fails after this, not after
        // the production two minutes; the job then restarts from the previous one, which is part of
        // what the comparison covers
        settings.put("job.checkpointTimeout", "10s");
        settings.put("events.idleTimeout", "1s");
        settings.put("events.startupIdleTimeout", "3s");
        JobConfig config = JobConfig.of(settings);
        RuleSet rules = RulesParser.parse(LivePipeline.CHECKOUT_STALL_2S, "restart test rules");

        List<Event> sent = new ArrayList<>();
        // what the SPEC gives, by hand: each stall's trigger id is rule|user|session|ts + within;
        // a second stall of a user within the one-day cooldown is held back
        Map<String, String> byHand = new LinkedHashMap<>();
        JobClient job =
                GuidanceJob.start(
                        StreamExecutionEnvironment.getExecutionEnvironment(
                                FlinkSettings.from(config)),
                        config,
                        rules);
        try (KafkaProducer<String, byte[]> producer = producer();
                RedisClient client = RedisClient.create(redis.host(), redis.port());
                AuditTopic audit = new AuditTopic()) {
            waitFor("the job running", () -> job.getJobStatus().join() == JobStatus.RUNNING);

            // before the fault: four stalls and a payer, all decided
            long t0 = System.currentTimeMillis();
            for (String u : List.of("u1", "u2", "u3", "u4")) {
                send(producer, sent, view(u, "s1", t0), byHand, "delivered");
            }
            send(producer, sent, view("p1", "s1", t0), null, null);
            send(producer, sent, pay("p1", "s1", t0 + 500), null, null);
            waitFor(
                    "the first stalls in Redis",
                    () -> writtenIds(client).size() == 4 && processed() == sent.size());

            // the second batch read, its stalls not yet due: the broker goes down
            long t1 = System.currentTimeMillis();
            send(producer, sent, view("u5", "s1", t1), byHand, "delivered");
            send(producer, sent, view("u6", "s1", t1), byHand, "delivered");
            send(producer, sent, view("u1", "s2", t1), byHand, "suppressed:cooldown");
            waitFor("the second batch read", () -> processed() == sent.size());
            long stoppedAt = System.nanoTime();
            kafka.stop();
            assertThat(kafka.isRunning()).isFalse();
            long checkpointsAtStop = checkpointsEnded();
            // down for longer than the checkpoint interval: two checkpoints end (complete, or fail
            // on the unreachable broker) while its process is gone
            waitFor(
                    "two checkpoints during the outage",
                    () -> checkpointsEnded() >= checkpointsAtStop + 2);
            long downMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
            kafka.restart();
            System.out.printf(
                    "broker down for %d ms (its stop included); checkpoints completed %d, failed"
                            + " %d so far%n",
                    downMillis,
                    InMemoryMetricReporter.gauge(JOB, "numberOfCompletedCheckpoints"),
                    InMemoryMetricReporter.gauge(JOB, "numberOfFailedCheckpoints"));

            // after the fault: more stalls, a payer, and a held-back second stall
            long t2 = System.currentTimeMillis();
            send(producer, sent, view("u7", "s1", t2), byHand, "delivered");
            send(producer, sent, view("u8", "s1", t2), byHand, "delivered");
            send(producer, sent, view("p2", "s1", t2), null, null);
            send(producer, sent, pay("p2", "s1", t2 + 500), null, null);
            send(producer, sent, view("u5", "s2", t2), byHand, "suppressed:cooldown");

            // the run without the fault
            Path file = dir.resolve("events.jsonl");
            StringBuilder lines = new StringBuilder();
            sent.forEach(e -> lines.append(EventJson.toJson(e)).append('\n'));
            Files.writeString(file, lines, StandardCharsets.UTF_8);
            Replay.Outcome replay = Replay.run(Replay.readRecords(file), rules, config);
            assertThat(replay.deadLetters).isEmpty();
            Map<String, String> replayed = new LinkedHashMap<>();
            for (Trigger t : replay.triggers) {
                replayed.put(t.triggerId, t.status);
            }
            assertThat(replayed).as("the replay, as the SPEC gives by hand").isEqualTo(byHand);
            Set<String> delivered = new TreeSet<>();
            Map<String, String> latestOfUser = new HashMap<>();
            for (Trigger t : replay.triggers) { // in time order
                if (t.isDelivered()) {
                    delivered.add(t.triggerId);
                    latestOfUser.put(t.userId, t.triggerId);
                }
            }
            Set<String> decisions = new TreeSet<>();
            replayed.forEach((id, status) -> decisions.add(id + " " + status));

            waitFor(
                    "every trigger in Redis and every decision on the audit topic",
                    () ->
                            writtenIds(client).containsAll(delivered)
                                    && audit.distinct().containsAll(decisions));
            // two more checkpoints: a wrong extra trigger or decision would be out by now
            long checkpoints = InMemoryMetricReporter.gauge(JOB, "numberOfCompletedCheckpoints");
            waitFor(
                    "two more checkpoints",
                    () ->
                            InMemoryMetricReporter.gauge(JOB, "numberOfCompletedCheckpoints")
                                    >= checkpoints + 2);

            assertThat(writtenIds(client)).isEqualTo(delivered);
            latestOfUser.forEach(
                    (user, id) ->
                            assertThat(LivePipeline.triggerIdAt(client, "guidance:user:" + user))
                                    .as(user)
                                    .isEqualTo(id));
            assertThat(client.keys("guidance:user:*")).hasSize(latestOfUser.size());
            assertThat(audit.distinct()).isEqualTo(decisions);
            assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            System.out.printf(
                    "the job restarted %d times%n",
                    InMemoryMetricReporter.gauge(JOB, "numRestarts"));
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    private static Event view(String user, String session, long ts) {
        return new Event(
                user + "-" + session + "-view",
                user,
                session,
                ts,
                "page_view",
                "/checkout",
                null,
                null);
    }

    private static Event pay(String user, String session, long ts) {
        return new Event(
                user + "-" + session + "-pay",
                user,
                session,
                ts,
                "click",
                "/checkout",
                "#pay",
                null);
    }

    /** Sends an event and notes what the SPEC says its stall decides, if it starts one. */
    private static void send(
            KafkaProducer<String, byte[]> producer,
            List<Event> sent,
            Event e,
            Map<String, String> byHand,
            String status)
            throws Exception {
        producer.send(new ProducerRecord<>(EVENTS, e.userId, EventJson.toJsonBytes(e)))
                .get(60, TimeUnit.SECONDS);
        sent.add(e);
        if (status != null) {
            byHand.put(
                    "checkout-stall|" + e.userId + "|" + e.sessionId + "|" + (e.ts + WITHIN),
                    status);
        }
    }

    /** Events the detection has taken (the first attempt's count; a restart would reset it). */
    private static long processed() {
        return InMemoryMetricReporter.counter(JOB, "eventsProcessed");
    }

    private static long checkpointsEnded() {
        return InMemoryMetricReporter.gauge(JOB, "numberOfCompletedCheckpoints")
                + InMemoryMetricReporter.gauge(JOB, "numberOfFailedCheckpoints");
    }

    private static Set<String> writtenIds(RedisClient client) {
        Set<String> ids = new TreeSet<>();
        for (String k : client.keys("guidance:written:*")) {
            ids.add(k.substring("guidance:written:".length()));
        }
        return ids;
    }

    private static KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /** Every decision on the audit topic, read from the beginning, as "triggerId status". */
    private static final class AuditTopic implements AutoCloseable {
        private final KafkaConsumer<String, String> consumer;
        private final Set<String> seen = new TreeSet<>();

        AuditTopic() {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "audit-reader-" + UUID.randomUUID());
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
            p.put(
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                    StringDeserializer.class.getName());
            consumer = new KafkaConsumer<>(p);
            consumer.subscribe(List.of(AUDIT));
        }

        Set<String> distinct() {
            for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                Trigger t = TriggerJson.fromJson(r.value());
                seen.add(t.triggerId + " " + t.status);
            }
            return new TreeSet<>(seen);
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private static void waitFor(String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + PATIENCE.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
    }
}
