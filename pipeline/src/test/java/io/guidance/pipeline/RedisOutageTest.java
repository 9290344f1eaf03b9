package io.guidance.pipeline;

import static io.guidance.pipeline.LivePipeline.checkoutView;
import static io.guidance.pipeline.LivePipeline.send;
import static io.guidance.pipeline.LivePipeline.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.local.EmbeddedKafka;
import io.guidance.local.LocalRedis;
import io.guidance.local.LocalStack;
import io.guidance.pipeline.LivePipeline.AuditReader;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/**
 * SPEC section 5: "retried with backoff while Redis is down; the job does not lose a trigger that
 * is still unexpired when Redis comes back", and a trigger is written at most once per id.
 *
 * <p>Two jobs run side by side on one MiniCluster, each with parallelism 2 and a checkpoint every
 * second: the main job with the usual ten-minute ttl, and a brief one, on its own topic, whose
 * triggers live three seconds. Redis is stopped while the main job's events flow, stays down until
 * every brief trigger has expired, and comes back empty. Then every main trigger of the outage is
 * in Redis, written exactly once (Redis counts exactly two SETs, the user key and its marker, per
 * trigger), every brief one is counted by {@code redisExpiredDropped} and absent, and both jobs ran
 * through it without a restart.
 */
class RedisOutageTest {
    private static final String MAIN_JOB = "outage-main";
    private static final String BRIEF_JOB = "outage-brief";
    private static final String BRIEF_EVENTS = "brief-events";

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(4)
                            .setConfiguration(InMemoryMetricReporter.enable(new Configuration()))
                            .build());

    private static final long WITHIN = 2_000L;
    private static final long BRIEF_TTL = 3_000L;
    private static final String STALL =
            String.join(
                    "\n",
                    "  - id: %s",
                    "    guide: checkout-help",
                    "    kind: stall",
                    "    start: {type: page_view, page: /checkout}",
                    "    progress: [{type: click, target: \"#pay\"}]",
                    "    within: 2s");
    private static final String MAIN_RULES =
            "version: 1\ndelivery: {ttl: 10m}\nrules:\n" + STALL.formatted("checkout-stall");
    private static final String BRIEF_RULES =
            "version: 1\ndelivery: {ttl: 3s}\nrules:\n" + STALL.formatted("brief-stall");
    private static final Duration PATIENCE = Duration.ofSeconds(45);
    private static final Pattern SET_CALLS = Pattern.compile("cmdstat_set:calls=(\\d+)");

    private static LocalStack stack;
    private static EmbeddedKafka kafka;
    private static LocalRedis redis;

    @BeforeAll
    static void startKafkaAndRedis() throws Exception {
        stack = LivePipeline.startStack();
        kafka = stack.kafka();
        redis = stack.redis();
        kafka.createTopic(BRIEF_EVENTS, 2);
    }

    @AfterAll
    static void stopKafkaAndRedis() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void unexpiredTriggersArriveOnceAfterTheOutageAndExpiredOnesAreCounted() throws Exception {
        JobClient main = start(MAIN_JOB, "main", LivePipeline.EVENTS, MAIN_RULES);
        JobClient brief = null;
        try (KafkaProducer<String, byte[]> producer = LivePipeline.producer(kafka);
                AuditReader audit = new AuditReader(kafka)) {
            brief = start(BRIEF_JOB, "brief", BRIEF_EVENTS, BRIEF_RULES);
            awaitRunning(main);
            awaitRunning(brief);

            // before the outage: the pipeline writes
            long t0 = System.currentTimeMillis();
            send(producer, List.of(checkoutView("p1", "pre", "s1", t0)));
            try (RedisClient client = client()) {
                waitFor(
                        "the trigger before the outage",
                        () -> client.exists("guidance:user:pre"),
                        PATIENCE);
            }

            // events flow, Redis goes down between two of them
            List<String> mainTriggers = new ArrayList<>();
            List<String> briefTriggers = new ArrayList<>();
            long t1 = System.currentTimeMillis();
            send(producer, mainViews(mainTriggers, t1, "u1", "u2", "u3"));
            redis.stop();
            long stoppedAt = System.currentTimeMillis();
            long t2 = System.currentTimeMillis();
            send(producer, briefViews(briefTriggers, t2, "b1", "b2", "b3"));
            send(producer, mainViews(mainTriggers, t2, "u4", "u5"));
            Thread.sleep(1_000);
            long t3 = System.currentTimeMillis();
            send(producer, mainViews(mainTriggers, t3, "u6", "u7"));

            // u1-u3 fire during the outage and wait in the writers (u4 and u5 may fire in the same
            // watermark step).
            // Once a checkpoint comes, the Redis sink's flush holds the detect chain until Redis is
            // back, so the
            // later ones are decided after the restart. The brief triggers fire in their own job
            // and expire in its
            // writers
            waitFor(
                    "u1-u3 held by the writers",
                    () -> InMemoryMetricReporter.gauge(MAIN_JOB, "redisPendingTriggers") >= 3,
                    PATIENCE);
            for (String id : mainTriggers.subList(0, 3)) {
                // the audit reader may need a few polls to join its group and fetch
                waitFor("decision of " + id, () -> audit.decisions(id) >= 1, PATIENCE);
                assertThat(audit.decisions(id)).as(id).isEqualTo(1);
            }
            for (String id : briefTriggers) {
                waitFor("decision of " + id, () -> audit.decisions(id) >= 1, PATIENCE);
            }
            long briefExpiry = t2 + WITHIN + BRIEF_TTL;
            long until = Math.max(briefExpiry + 500, stoppedAt + 4_000);
            Thread.sleep(Math.max(0, until - System.currentTimeMillis()));
            assertThat(InMemoryMetricReporter.counter(MAIN_JOB, "redisWritten"))
                    .as("written before the outage")
                    .isEqualTo(1);
            redis.restart();
            long restartedAt = System.currentTimeMillis();

            try (RedisClient client = client()) {
                for (int i = 0; i < mainTriggers.size(); i++) {
                    String key = "guidance:user:u" + (i + 1);
                    waitFor(key + " after the outage", () -> client.exists(key), PATIENCE);
                }
                waitFor(
                        "the expired brief triggers counted",
                        () ->
                                InMemoryMetricReporter.counter(BRIEF_JOB, "redisExpiredDropped")
                                        >= briefTriggers.size(),
                        PATIENCE);
                // a checkpoint of each job completed after the restart: every writer flushed all it
                // held
                long mainCheckpoints = completedCheckpoints(MAIN_JOB);
                long briefCheckpoints = completedCheckpoints(BRIEF_JOB);
                waitFor(
                        "checkpoints after the restart",
                        () ->
                                completedCheckpoints(MAIN_JOB) > mainCheckpoints
                                        && completedCheckpoints(BRIEF_JOB) > briefCheckpoints,
                        PATIENCE);

                for (int i = 0; i < mainTriggers.size(); i++) {
                    String id = mainTriggers.get(i);
                    assertThat(LivePipeline.triggerIdAt(client, "guidance:user:u" + (i + 1)))
                            .isEqualTo(id);
                    assertThat(client.get("guidance:written:" + id)).isEqualTo("written");
                }
                // Redis restarted empty: every SET since is one of these triggers, two per trigger
                // written once
                assertThat(setCalls(client)).isEqualTo(2L * mainTriggers.size());
                for (String id : briefTriggers) {
                    assertThat(client.exists("guidance:written:" + id)).as(id).isFalse();
                }
                assertThat(client.keys("guidance:user:b*")).isEmpty();
                assertThat(client.keys("guidance:user:*")).hasSize(mainTriggers.size());
            }
            assertThat(InMemoryMetricReporter.counter(BRIEF_JOB, "redisExpiredDropped"))
                    .isEqualTo(briefTriggers.size());
            assertThat(InMemoryMetricReporter.counter(BRIEF_JOB, "redisWritten")).isZero();
            assertThat(InMemoryMetricReporter.counter(MAIN_JOB, "redisExpiredDropped")).isZero();
            assertThat(InMemoryMetricReporter.counter(MAIN_JOB, "redisWritten"))
                    .isEqualTo(1 + mainTriggers.size());
            assertThat(InMemoryMetricReporter.counter(MAIN_JOB, "redisDuplicates")).isZero();
            assertThat(InMemoryMetricReporter.counter(MAIN_JOB, "redisRetries"))
                    .as("retried during the outage")
                    .isPositive();

            assertThat(main.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            assertThat(brief.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
            assertThat(InMemoryMetricReporter.gauge(MAIN_JOB, "numRestarts")).isZero();
            assertThat(InMemoryMetricReporter.gauge(BRIEF_JOB, "numRestarts")).isZero();
            assertThat(restartedAt - stoppedAt).as("outage length").isGreaterThan(3_000);
        } finally {
            redis.restart(); // in case the test failed during the outage
            main.cancel().get(60, TimeUnit.SECONDS);
            if (brief != null) {
                brief.cancel().get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static JobClient start(String jobName, String groupId, String topic, String rules)
            throws Exception {
        RuleSet ruleSet = RulesParser.parse(rules, jobName);
        JobConfig config =
                LivePipeline.config(
                        stack,
                        Map.of(
                                "job.name", jobName,
                                "kafka.groupId", groupId,
                                "kafka.topic", topic,
                                "job.checkpointInterval", "1s",
                                // retries stay frequent, so that the writers notice the restart
                                // within a second
                                "redis.retryBackoffMax", "1s"));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(FlinkSettings.from(config));
        return GuidanceJob.start(env, config, ruleSet);
    }

    private static void awaitRunning(JobClient job) throws InterruptedException {
        waitFor(
                job.getJobID() + " running",
                () -> job.getJobStatus().join() == JobStatus.RUNNING,
                PATIENCE);
    }

    /** Checkout views of the main job's users at {@code ts}; notes the trigger each must fire. */
    private static List<ProducerRecord<String, byte[]>> mainViews(
            List<String> expected, long ts, String... users) {
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
        for (String u : users) {
            out.add(checkoutView(u + "-1", u, "s1", ts));
            expected.add("checkout-stall|" + u + "|s1|" + (ts + WITHIN));
        }
        return out;
    }

    private static List<ProducerRecord<String, byte[]>> briefViews(
            List<String> expected, long ts, String... users) {
        List<ProducerRecord<String, byte[]>> out = new ArrayList<>();
        for (String u : users) {
            ProducerRecord<String, byte[]> r = checkoutView(u + "-1", u, "s1", ts);
            out.add(new ProducerRecord<>(BRIEF_EVENTS, r.key(), r.value()));
            expected.add("brief-stall|" + u + "|s1|" + (ts + WITHIN));
        }
        return out;
    }

    private static long completedCheckpoints(String job) {
        return InMemoryMetricReporter.gauge(job, "numberOfCompletedCheckpoints");
    }

    private static long setCalls(RedisClient client) {
        Matcher m = SET_CALLS.matcher(client.info("commandstats"));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static RedisClient client() {
        return RedisClient.create(redis.host(), redis.port());
    }
}
