package io.guidance.pipeline;

import static io.guidance.pipeline.LivePipeline.checkoutView;
import static io.guidance.pipeline.LivePipeline.send;
import static io.guidance.pipeline.LivePipeline.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.local.EmbeddedKafka;
import io.guidance.local.LocalRedis;
import io.guidance.local.LocalStack;
import io.guidance.pipeline.LivePipeline.AuditReader;
import io.guidance.redis.RedisSettings;
import io.guidance.redis.TriggerInbox;
import io.guidance.redis.TriggerInbox.Ack;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import io.guidance.trigger.Trigger;
import io.guidance.trigger.TriggerJson;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * SPEC section 5: "an acknowledged trigger is never written again, not after a job restart from a
 * checkpoint either". The real job on a MiniCluster (parallelism 2, a checkpoint every second)
 * against a Kafka broker and a Redis server: a stall fires for ann, the front end acknowledges it,
 * and then
 *
 * <ol>
 *   <li>the job is cancelled and run again from a retained checkpoint that it completed
 *       <em>before</em> the trigger reached Redis, which is what a crash between the write and the
 *       next checkpoint leaves behind. That job must decide ann's trigger again (the audit topic
 *       shows it), and the write must be refused. (The very latest checkpoint would already hold
 *       the fired stall and the source offsets past ann's event: a restore from it re-creates
 *       nothing, and could not show the guarantee.)
 *   <li>a fresh job with a new consumer group reads the topic from the earliest offsets, re-creates
 *       the same trigger id, and must not write it either.
 * </ol>
 *
 * In both, a new trigger for another user must arrive: the restarted job really ran.
 */
class AcknowledgeAcrossRestartTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(Checkpoints.keepEveryCheckpoint())
                            .build());

    private static final long WITHIN = 2_000L;
    private static final String RULES =
            String.join(
                    "\n",
                    "version: 1",
                    "delivery: {ttl: 10m}",
                    "rules:",
                    "  - id: checkout-stall",
                    "    guide: checkout-help",
                    "    kind: stall",
                    "    start: {type: page_view, page: /checkout}",
                    "    progress: [{type: click, target: \"#pay\"}]",
                    "    within: 2s");
    private static final Duration PATIENCE = Duration.ofSeconds(45);

    private static LocalStack stack;
    private static EmbeddedKafka kafka;
    private static LocalRedis redis;

    @TempDir Path checkpoints;

    private RedisClient client;
    private TriggerInbox inbox;
    private KafkaProducer<String, byte[]> producer;
    private AuditReader audit;

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

    @BeforeEach
    void openClients() {
        client = RedisClient.create(redis.host(), redis.port());
        inbox =
                new TriggerInbox(
                        RedisSettings.builder().host(redis.host()).port(redis.port()).build());
        producer = LivePipeline.producer(kafka);
        audit = new AuditReader(kafka);
    }

    @AfterEach
    void closeClients() {
        audit.close();
        producer.close(Duration.ofSeconds(5));
        inbox.close();
        client.close();
    }

    @Test
    void anAcknowledgedTriggerIsNotWrittenAgainAfterARestoreOrAReplayOfTheInput() throws Exception {
        RuleSet rules = RulesParser.parse(RULES, "test");
        long t0 = System.currentTimeMillis();
        String annTrigger = "checkout-stall|ann|s1|" + (t0 + WITHIN);

        // ---- the first run: ann stalls, the trigger is shown and acknowledged ----
        JobClient first = start(rules, "guidance", null);
        long writtenAfter;
        long decidedBefore;
        try {
            send(producer, List.of(checkoutView("a1", "ann", "s1", t0)));
            writtenAfter = awaitUserKey("ann");
            assertThat(inbox.pending("ann")).map(t -> t.triggerId).contains(annTrigger);
            assertThat(inbox.acknowledge("ann", annTrigger)).isEqualTo(Ack.REMOVED);
            waitFor(
                    "ann's trigger on the audit topic",
                    () -> audit.decisions(annTrigger) >= 1,
                    PATIENCE);
        } finally {
            cancel(first);
        }
        decidedBefore = audit.decisions(annTrigger);
        assertThat(client.exists("guidance:user:ann")).isFalse();

        // ---- (a) a restore from a checkpoint completed before the trigger reached Redis ----
        Path checkpoint = lastCheckpointCompletedBefore(first, writtenAfter);
        JobClient restored = start(rules, "guidance", checkpoint);
        try {
            long t1 = System.currentTimeMillis();
            send(producer, List.of(checkoutView("b1", "bea", "s1", t1)));
            waitFor(
                    "the restored job deciding ann's trigger again",
                    () -> audit.decisions(annTrigger) > decidedBefore,
                    PATIENCE);
            long decidedAt = System.currentTimeMillis();
            awaitUserKey("bea");
            // a checkpoint completed after the decision: the sink has flushed it to Redis, or been
            // refused
            awaitCheckpointCompletedAfter(restored, decidedAt);

            assertThat(client.exists("guidance:user:ann"))
                    .as("ann's acknowledged trigger after the restore")
                    .isFalse();
            assertThat(client.get("guidance:written:" + annTrigger)).isEqualTo("acked");
            assertThat(pendingId("bea")).isEqualTo("checkout-stall|bea|s1|" + (t1 + WITHIN));
        } finally {
            cancel(restored);
        }
        long decidedBeforeReplay = audit.decisions(annTrigger);

        // ---- (b) a fresh job, new consumer group, from the earliest offsets: the same records
        // again ----
        JobClient fresh = start(rules, "guidance-fresh", null);
        try {
            long t2 = System.currentTimeMillis();
            send(producer, List.of(checkoutView("c1", "cid", "s1", t2)));
            waitFor(
                    "the fresh job re-creating ann's trigger from the same records",
                    () -> audit.decisions(annTrigger) > decidedBeforeReplay,
                    PATIENCE);
            long decidedAt = System.currentTimeMillis();
            awaitUserKey("cid");
            awaitCheckpointCompletedAfter(fresh, decidedAt);

            assertThat(client.exists("guidance:user:ann"))
                    .as("ann's acknowledged trigger after a replay")
                    .isFalse();
            assertThat(client.get("guidance:written:" + annTrigger)).isEqualTo("acked");
            assertThat(pendingId("cid")).isEqualTo("checkout-stall|cid|s1|" + (t2 + WITHIN));
        } finally {
            cancel(fresh);
        }
    }

    // ---- the job ----

    private JobClient start(RuleSet rules, String groupId, Path restoreFrom) throws Exception {
        JobConfig config =
                LivePipeline.config(
                        stack, Map.of("kafka.groupId", groupId, "job.checkpointInterval", "1s"));
        return new Checkpoints(checkpoints).start(config, rules, restoreFrom);
    }

    private static void cancel(JobClient job) throws Exception {
        Checkpoints.cancel(job);
    }

    private Path lastCheckpointCompletedBefore(JobClient job, long instant) {
        return new Checkpoints(checkpoints).lastCompletedBefore(job, instant);
    }

    private void awaitCheckpointCompletedAfter(JobClient job, long instant)
            throws InterruptedException {
        new Checkpoints(checkpoints).awaitCompletedAfter(job, instant, PATIENCE);
    }

    // ---- Redis ----

    /**
     * Waits for the user's key and returns the wall-clock time of the last look that did not find
     * it: the trigger was written after that.
     */
    private long awaitUserKey(String user) throws InterruptedException {
        String key = "guidance:user:" + user;
        long lastAbsent = 0;
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            long before = System.currentTimeMillis();
            if (client.exists(key)) {
                return lastAbsent;
            }
            lastAbsent = before;
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        key + " not written within " + PATIENCE.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
    }

    private String pendingId(String user) {
        String json = client.get("guidance:user:" + user);
        assertThat(json).as("%s's trigger", user).isNotNull();
        Trigger t = TriggerJson.fromJson(json);
        return t.triggerId;
    }
}
