package io.guidance.pipeline;

import static io.guidance.pipeline.LivePipeline.send;
import static io.guidance.pipeline.LivePipeline.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.Event;
import io.guidance.event.EventJson;
import io.guidance.experiment.ExperimentRecord;
import io.guidance.experiment.ExperimentRecordJson;
import io.guidance.local.LocalStack;
import io.guidance.local.TopicReader;
import io.guidance.rules.RuleSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * SPEC section 7: running totals per experiment and arm are kept in Flink state and written to
 * Redis as absolute values, so a restart from a checkpoint counts nothing twice. The real job on a
 * MiniCluster against a Kafka broker and a Redis server: users stall at checkout (2 s) and some buy
 * afterwards; the job is cancelled and restored from a checkpoint completed before its last
 * exposures were written, so the restored job decides them again (the experiments topic is
 * at-least-once and may then hold a record twice). The totals in Redis must equal the distinct
 * records on the topic, and the counts worked out here from the SPEC's assignment.
 */
class ExperimentTotalsRestartTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(Checkpoints.keepEveryCheckpoint())
                            .build());

    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final long WITHIN = 2_000L;
    private static final String KEY = "guidance:experiment:checkout-stall";

    private static LocalStack stack;

    @TempDir Path checkpoints;

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
    void totalsInRedisEqualTheDistinctRecordsAfterARestoreFromAnEarlierCheckpoint()
            throws Exception {
        RuleSet rules = LivePipeline.checkoutStallExperiment();
        JobConfig config =
                LivePipeline.config(
                        stack,
                        Map.of(
                                "kafka.groupId",
                                "experiments",
                                "job.checkpointInterval",
                                "1s",
                                // the product's default: a restored reader still fetching its
                                // first records must not be overtaken by a watermark taken from
                                // the wall clock, or the replayed events turn late (every
                                // partition here gets events, so nothing waits for this)
                                "events.startupIdleTimeout",
                                "60s"));
        Checkpoints chk = new Checkpoints(checkpoints);
        Map<String, Long> expectedExposed = new HashMap<>();
        Map<String, Long> expectedConverted = new HashMap<>();
        try (KafkaProducer<String, byte[]> producer = LivePipeline.producer(stack.kafka());
                RedisClient redis = RedisClient.create(stack.redis().host(), stack.redis().port());
                ExperimentReader topic = new ExperimentReader(stack)) {

            // ---- first run: 12 users stall; the even ones buy 1 s after their guide ----
            JobClient first = chk.start(config, rules, null);
            long beforeSend;
            long firstRunEnd;
            try {
                // a checkpoint before any event: the restore below starts from it
                chk.awaitCompletedAfter(first, System.currentTimeMillis(), PATIENCE);
                beforeSend = System.currentTimeMillis();
                long t0 = beforeSend;
                List<ProducerRecord<String, byte[]>> batch = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    String user = "user-" + i;
                    batch.add(event("v" + i, user, t0, "page_view", "/checkout"));
                    expectedExposed.merge(LivePipeline.checkoutStallArm(user), 1L, Long::sum);
                    if (i % 2 == 0) {
                        batch.add(event("p" + i, user, t0 + WITHIN + 1_000, "purchase", "/done"));
                        expectedConverted.merge(LivePipeline.checkoutStallArm(user), 1L, Long::sum);
                    }
                }
                // moves event time past the purchases (the watermark trails by the 2 s
                // out-of-orderness)
                firstRunEnd = t0 + WITHIN + 6_000;
                batch.add(event("tick1", "ticker", firstRunEnd, "page_ping", "/"));
                send(producer, batch);
                try {
                    waitFor(
                            "12 exposures and 6 conversions on the experiments topic",
                            () -> topic.distinct().size() == 18,
                            PATIENCE);
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; seen: " + topic.distinct(), e);
                }
                waitFor("totals in Redis", () -> totalsMatch(redis, topic.distinct()), PATIENCE);
            } finally {
                Checkpoints.cancel(first);
            }

            // ---- restored from a checkpoint taken before those events: the job reads them and
            // decides them again ----
            Path earlier = chk.lastCompletedBefore(first, beforeSend);
            JobClient restored = chk.start(config, rules, earlier);
            try {
                // after the first run's ticker, which may still be ahead of the clock: the
                // restored job reads both runs' events at once, and in the ticker's partition an
                // event behind it by more than the 2 s bound would be late
                long t1 = Math.max(System.currentTimeMillis(), firstRunEnd + 1_000);
                List<ProducerRecord<String, byte[]>> batch = new ArrayList<>();
                for (int i = 12; i < 16; i++) {
                    String user = "user-" + i;
                    batch.add(event("v" + i, user, t1, "page_view", "/checkout"));
                    expectedExposed.merge(LivePipeline.checkoutStallArm(user), 1L, Long::sum);
                }
                batch.add(event("tick2", "ticker", t1 + WITHIN + 6_000, "page_ping", "/"));
                send(producer, batch);
                waitFor(
                        "16 exposures and 6 conversions on the experiments topic",
                        () -> topic.distinct().size() == 22,
                        PATIENCE);
                try {
                    waitFor(
                            "totals in Redis equal to the distinct records",
                            () -> totalsMatch(redis, topic.distinct()),
                            PATIENCE);
                } catch (AssertionError e) {
                    throw new AssertionError(
                            e.getMessage()
                                    + "; Redis: "
                                    + redis.hgetAll(KEY)
                                    + ", expected exposed "
                                    + expectedExposed
                                    + ", converted "
                                    + expectedConverted
                                    + ", dead letters "
                                    + deadLetters(),
                            e);
                }
            } finally {
                Checkpoints.cancel(restored);
            }
            // the restored job did write the first run's 18 records again: totals counted from the
            // topic, or in Redis, would have counted them twice
            assertThat(topic.all().size() - topic.distinct().size())
                    .as("records the restored job wrote again")
                    .isGreaterThanOrEqualTo(18);

            Map<String, String> hash = redis.hgetAll(KEY);
            for (String arm : List.of("checkout-help", "checkout-help-short", "control")) {
                assertThat(Long.parseLong(hash.getOrDefault(arm + ":exposed", "0")))
                        .as("%s exposed", arm)
                        .isEqualTo(expectedExposed.getOrDefault(arm, 0L));
                assertThat(Long.parseLong(hash.getOrDefault(arm + ":converted", "0")))
                        .as("%s converted", arm)
                        .isEqualTo(expectedConverted.getOrDefault(arm, 0L));
            }
            assertThat(hash.get("salt")).isEqualTo("checkout-stall");
        }
    }

    private static List<String> deadLetters() {
        try (TopicReader dead =
                new TopicReader(stack.bootstrapServers(), LivePipeline.DEAD_LETTERS)) {
            return dead.records();
        }
    }

    /** Redis's totals equal the counts of the distinct records, per arm. */
    private static boolean totalsMatch(RedisClient redis, Set<String> distinct) {
        Map<String, Long> counts = new HashMap<>();
        for (String r : distinct) {
            ExperimentRecord x = ExperimentRecordJson.fromJson(r);
            counts.merge(x.arm + ":" + (x.isExposure() ? "exposed" : "converted"), 1L, Long::sum);
        }
        Map<String, String> hash = redis.hgetAll(KEY);
        for (Map.Entry<String, Long> c : counts.entrySet()) {
            if (!Long.toString(c.getValue()).equals(hash.get(c.getKey()))) {
                return false;
            }
        }
        return !counts.isEmpty();
    }

    private static ProducerRecord<String, byte[]> event(
            String id, String user, long ts, String type, String page) {
        byte[] json =
                EventJson.toJsonBytes(new Event(id, user, "s-" + user, ts, type, page, null, null));
        return new ProducerRecord<>(LivePipeline.EVENTS, user, json);
    }

    /** Reads the experiments topic from its beginning. */
    private static final class ExperimentReader implements AutoCloseable {
        private final TopicReader topic;

        ExperimentReader(LocalStack stack) {
            topic = new TopicReader(stack.bootstrapServers(), LivePipeline.EXPERIMENTS);
        }

        List<String> all() {
            return topic.records();
        }

        /** Distinct records: an exposure or conversion is once per experiment and user. */
        Set<String> distinct() {
            return new HashSet<>(all());
        }

        @Override
        public void close() {
            topic.close();
        }
    }
}
