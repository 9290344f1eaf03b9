package io.guidance.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.guidance.event.Event;
import io.guidance.event.EventJson;
import io.guidance.local.EmbeddedKafka;
import io.guidance.local.LocalRedis;
import io.guidance.local.LocalStack;
import io.guidance.pipeline.kafka.DeadLetterSerializer;
import io.guidance.pipeline.kafka.RulesTopic;
import io.guidance.pipeline.kafka.TriggerAuditSerializer;
import io.guidance.rules.PublishedRules;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import io.guidance.trigger.Trigger;
import io.guidance.trigger.TriggerJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * Rules changed while the production job runs (SPEC section 3): the job on a MiniCluster with
 * parallelism 2 against a real Kafka broker and Redis, rule sets published on the compacted rules
 * topic. Triggers are read where users read them: the audit topic (every trigger, a {@code status}
 * header) and Redis.
 *
 * <p>Each test has its own topics, consumer group and Redis prefix. Event times are "now", so Redis
 * keeps the triggers (ttl 10 min) and the watermark, which follows the clock once the input is
 * idle, stays behind new events. Delivery limits are 1 ms so that every trigger of these stories is
 * delivered.
 *
 * <p>A rule set reaches each task of the detection operator on its own, so before events that must
 * see a new version the test waits for proof that the user's task has it: a trigger of a rule that
 * only the new version has (the "probe").
 */
class LiveRulesPipelineTest {
    static final int PARALLELISM = 2;
    static final int MAX_PARALLELISM = 128;

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(PARALLELISM)
                            .build());

    static final String HEADER =
            "version: 1\ndelivery: {ttl: 10m, minGap: 1ms, cooldown: 1ms, maxPerDay: 1000}\n"
                    + "rules:\n";

    /** SPEC's example: target 7, nudges from 4. */
    static final String SEVEN_FRIENDS = threshold(7, 4);

    /** Only in the versions published during the tests: three clicks on one target within 1 s. */
    static final String RAGE_CLICK =
            String.join(
                    "\n",
                    "  - id: rage-click",
                    "    guide: help-widget",
                    "    kind: burst",
                    "    match: {type: click}",
                    "    sameField: target",
                    "    count: 3",
                    "    within: 1s",
                    "");

    static LocalStack stack;
    static EmbeddedKafka kafka;
    static LocalRedis redis;

    @BeforeAll
    static void startKafkaAndRedis() throws Exception {
        stack = LocalStack.start();
        kafka = stack.kafka();
        redis = stack.redis();
    }

    @AfterAll
    static void stopKafkaAndRedis() {
        if (stack != null) {
            stack.close();
        }
    }

    // ---- (a) a published change applies to the running job ----

    @Test
    void aPublishedVersionChangesTheRunningJobsTriggers() throws Exception {
        Topics topics = Topics.create("live");
        JobConfig config = config(topics, "1s");
        JobClient job =
                GuidanceJob.start(
                        environment(FlinkSettings.from(config)),
                        config,
                        LiveRules.of(rules(SEVEN_FRIENDS)));
        try (KafkaProducer<String, byte[]> producer = producer();
                TopicReader audit = new TopicReader(topics.audit);
                RedisClient client = redisClient()) {
            String ann = "ann";
            send(producer, topics, ann, "page_view");
            for (int i = 1; i <= 5; i++) {
                send(producer, topics, ann, "friend_added");
            }
            // the file's rules: counts 4 and 5 of 7 nudge
            List<Trigger> before =
                    audit.await(2, t -> t.userId.equals(ann), Duration.ofSeconds(60));
            assertThat(before)
                    .extracting(LiveRulesPipelineTest::summary)
                    .containsExactly(
                            "seven-friends invite-friends count=4 target=7 delivered",
                            "seven-friends invite-friends count=5 target=7 delivered");

            // version 1 on the topic: target 6, and a burst rule the job did not have
            RulesTopic.publish(
                    kafka.bootstrapServers(),
                    topics.rules,
                    published(1, threshold(6, 4) + RAGE_CLICK),
                    Duration.ofSeconds(15));
            Trigger probe = probe(producer, topics, audit, ann);
            assertThat(probe.reason).containsEntry("count", "3").containsEntry("within", "1000");
            assertThat(probe.status).isEqualTo(Trigger.DELIVERED);

            // the sixth friend: 6 >= 6 reaches the milestone (under the file's rules: a nudge at 6
            // of 7)
            long ts = send(producer, topics, ann, "friend_added");
            Trigger reached =
                    audit.await(
                                    1,
                                    t -> t.ruleId.equals("seven-friends") && t.ts == ts,
                                    Duration.ofSeconds(30))
                            .get(0);
            assertThat(summary(reached))
                    .isEqualTo("seven-friends friends-milestone count=6 target=6 delivered");
            assertThat(reached.reason).containsEntry("reached", "true");
            String key = topics.prefix + ":user:" + ann;
            waitFor(() -> reached.triggerId.equals(redisTriggerId(client, key)), 30);
            assertThat(TriggerJson.fromJson(client.get(key)).reason).containsEntry("target", "6");
            assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS)).isEqualTo(JobStatus.RUNNING);
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    // ---- (b) a bad set is dead-lettered, the last valid one stays ----

    @Test
    void badRuleSetsAreDeadLetteredAndTheLastValidSetStays() throws Exception {
        Topics topics = Topics.create("bad");
        JobConfig config = config(topics, "1s");
        JobClient job =
                GuidanceJob.start(
                        environment(FlinkSettings.from(config)),
                        config,
                        LiveRules.of(rules(SEVEN_FRIENDS)));
        try (KafkaProducer<String, byte[]> producer = producer();
                TopicReader audit = new TopicReader(topics.audit);
                TopicReader deadLetters = new TopicReader(topics.deadLetters);
                RedisClient client = redisClient()) {
            // the last valid version: target 3, nudges from 1
            RulesTopic.publish(
                    kafka.bootstrapServers(),
                    topics.rules,
                    published(1, threshold(3, 1) + RAGE_CLICK),
                    Duration.ofSeconds(15));
            // one user per task of the detection operator, each waiting until its task has version
            // 1
            List<String> users = List.of(userOnTask(0, "bea"), userOnTask(1, "bea"));
            for (String user : users) {
                send(producer, topics, user, "page_view");
                probe(producer, topics, audit, user);
            }

            // two bad sets from a producer that skipped `rules publish`: not JSON; JSON whose rules
            // are invalid
            byte[] garbage = "\u0000\u0001 not a rule set {".getBytes(StandardCharsets.UTF_8);
            byte[] invalid =
                    published(
                                    2,
                                    threshold(3, 1).replace("target: 3", "target: 0")
                                            + "    colour: red\n")
                            .toJsonBytes();
            try (KafkaProducer<String, byte[]> raw = producer()) {
                raw.send(new ProducerRecord<>(topics.rules, "garbage", garbage))
                        .get(15, TimeUnit.SECONDS);
                raw.send(new ProducerRecord<>(topics.rules, "2", invalid))
                        .get(15, TimeUnit.SECONDS);
            }
            // each once, whatever the parallelism: one record read, one dead letter
            List<ConsumerRecord<byte[], byte[]>> dead =
                    deadLetters.awaitRecords(2, Duration.ofSeconds(60));
            assertThat(dead)
                    .extracting(r -> header(r, DeadLetterSerializer.REASON))
                    .containsOnly("bad_rules");
            assertThat(dead)
                    .extracting(r -> header(r, DeadLetterSerializer.SOURCE_TOPIC))
                    .containsOnly(topics.rules);
            assertThat(dead)
                    .extracting(ConsumerRecord::value)
                    .containsExactlyInAnyOrder(garbage, invalid);
            Map<String, String> detailByValue = new HashMap<>();
            dead.forEach(
                    r ->
                            detailByValue.put(
                                    new String(r.value(), StandardCharsets.UTF_8),
                                    header(r, DeadLetterSerializer.DETAIL)));
            assertThat(detailByValue.get(new String(invalid, StandardCharsets.UTF_8)))
                    .contains("rule 'seven-friends', field 'target'")
                    .contains("colour");

            // version 1 still applies on both tasks: friends 1 and 2 nudge, 3 reaches target 3
            for (String user : users) {
                for (int i = 1; i <= 3; i++) {
                    send(producer, topics, user, "friend_added");
                }
            }
            for (String user : users) {
                List<Trigger> friends =
                        audit.await(
                                3,
                                t -> t.userId.equals(user) && t.ruleId.equals("seven-friends"),
                                Duration.ofSeconds(60));
                assertThat(friends)
                        .extracting(LiveRulesPipelineTest::summary)
                        .as(user)
                        .containsExactly(
                                "seven-friends invite-friends count=1 target=3 delivered",
                                "seven-friends invite-friends count=2 target=3 delivered",
                                "seven-friends friends-milestone count=3 target=3 delivered");
                String key = topics.prefix + ":user:" + user;
                waitFor(() -> friends.get(2).triggerId.equals(redisTriggerId(client, key)), 30);
            }
            // each bad set once, whatever the parallelism: one record read, one dead letter (a copy
            // from another
            // task of the detection operator would have come long before the triggers above)
            assertThat(deadLetters.records()).hasSize(2);
            assertThat(job.getJobStatus().get(10, TimeUnit.SECONDS)).isEqualTo(JobStatus.RUNNING);
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    // ---- (c) a restart from a checkpoint resumes with the changed rules ----

    @Test
    void aRestartFromACheckpointResumesWithTheChangedRules(@TempDir Path checkpoints)
            throws Exception {
        Topics topics = Topics.create("restart");
        JobConfig config = config(topics, "500ms");
        RuleSet fileRules = rules(SEVEN_FRIENDS);
        Configuration first = FlinkSettings.from(config);
        first.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
        String cal = "cal";
        Path checkpoint;
        try (KafkaProducer<String, byte[]> producer = producer();
                TopicReader audit = new TopicReader(topics.audit)) {
            JobClient job = GuidanceJob.start(environment(first), config, LiveRules.of(fileRules));
            try {
                send(producer, topics, cal, "page_view");
                for (int i = 1; i <= 5; i++) {
                    send(producer, topics, cal, "friend_added");
                }
                assertThat(audit.await(2, t -> t.userId.equals(cal), Duration.ofSeconds(60)))
                        .extracting(LiveRulesPipelineTest::summary)
                        .containsExactly(
                                "seven-friends invite-friends count=4 target=7 delivered",
                                "seven-friends invite-friends count=5 target=7 delivered");
                RulesTopic.publish(
                        kafka.bootstrapServers(),
                        topics.rules,
                        published(1, threshold(6, 4) + RAGE_CLICK),
                        Duration.ofSeconds(15));
                probe(producer, topics, audit, cal);
                // cal's task has version 1 now; a checkpoint taken from here on holds it
                int seen =
                        latestCheckpoint(checkpoints)
                                .map(LiveRulesPipelineTest::checkpointNumber)
                                .orElse(0);
                waitFor(
                        () ->
                                latestCheckpoint(checkpoints)
                                                .map(LiveRulesPipelineTest::checkpointNumber)
                                                .orElse(0)
                                        > seen,
                        30);
            } finally {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
            checkpoint = latestCheckpoint(checkpoints).orElseThrow();
            // only the checkpoint may carry version 1 into the next run: the rules topic loses it,
            // and a run that
            // started afresh would read no events from before either
            emptyRulesTopic(topics.rules);
            assertThat(
                            RulesTopic.readAll(
                                    kafka.bootstrapServers(), topics.rules, Duration.ofSeconds(15)))
                    .isEmpty();
            config = config.with("kafka.startingOffsets", "latest");

            // the same job again, started with the rules file (version 0, target 7), from the
            // retained checkpoint
            Configuration second = FlinkSettings.from(config);
            second.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
            second.set(StateRecoveryOptions.SAVEPOINT_PATH, checkpoint.toUri().toString());
            JobClient restarted =
                    GuidanceJob.start(environment(second), config, LiveRules.of(fileRules));
            try (RedisClient client = redisClient()) {
                long ts = send(producer, topics, cal, "friend_added");
                // the sixth friend against target 6 (under the file's rules: a nudge at 6 of 7)
                Trigger reached =
                        audit.await(
                                        1,
                                        t -> t.userId.equals(cal) && t.ts == ts,
                                        Duration.ofSeconds(60))
                                .get(0);
                assertThat(summary(reached))
                        .isEqualTo("seven-friends friends-milestone count=6 target=6 delivered");
                String key = topics.prefix + ":user:" + cal;
                waitFor(() -> reached.triggerId.equals(redisTriggerId(client, key)), 30);

                // and the rule that only the published version has is there too
                Trigger burst = probe(producer, topics, audit, cal);
                assertThat(burst.ts).isGreaterThan(ts);
            } finally {
                restarted.cancel().get(60, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Removes every record of the rules topic; compacted topics take {@code deleteRecords} once
     * they also delete.
     */
    static void emptyRulesTopic(String topic) throws Exception {
        try (Admin admin =
                Admin.create(
                        Map.of(
                                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                kafka.bootstrapServers()))) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            admin.incrementalAlterConfigs(
                            Map.of(
                                    resource,
                                    List.of(
                                            new AlterConfigOp(
                                                    new ConfigEntry(
                                                            "cleanup.policy", "compact,delete"),
                                                    AlterConfigOp.OpType.SET))))
                    .all()
                    .get(15, TimeUnit.SECONDS);
            TopicPartition p = new TopicPartition(topic, 0);
            long end =
                    admin.listOffsets(Map.of(p, OffsetSpec.latest()))
                            .partitionResult(p)
                            .get(15, TimeUnit.SECONDS)
                            .offset();
            admin.deleteRecords(Map.of(p, RecordsToDelete.beforeOffset(end)))
                    .all()
                    .get(15, TimeUnit.SECONDS);
        }
    }

    // ---- the job, its topics and settings ----

    /** One test's topics, consumer group and Redis prefix, created before its job starts. */
    static final class Topics {
        final String events;
        final String deadLetters;
        final String audit;
        final String rules;
        final String group;
        final String prefix;

        private Topics(String name) {
            events = name + "-events";
            deadLetters = name + "-dead-letters";
            audit = name + "-guidance-audit";
            rules = name + "-guidance-rules";
            group = name + "-group";
            prefix = "guidance-" + name;
        }

        LocalStack.Topics names() {
            return new LocalStack.Topics(
                    events, deadLetters, audit, prefix + "-experiments", rules);
        }

        static Topics create(String name) throws Exception {
            Topics t = new Topics(name);
            stack.createTopics(t.names(), PARALLELISM);
            return t;
        }
    }

    static JobConfig config(Topics topics, String checkpointInterval) {
        Map<String, String> s = stack.settings(topics.names());
        s.put("kafka.groupId", topics.group);
        s.put("events.idleTimeout", "1s");
        s.put("events.startupIdleTimeout", "3s");
        s.put("redis.prefix", topics.prefix);
        s.put("job.checkpointInterval", checkpointInterval);
        s.put("job.parallelism", Integer.toString(PARALLELISM));
        s.put("job.maxParallelism", Integer.toString(MAX_PARALLELISM));
        return JobConfig.of(s);
    }

    static StreamExecutionEnvironment environment(Configuration flink) {
        return StreamExecutionEnvironment.getExecutionEnvironment(flink);
    }

    static String threshold(int target, int nudgeFrom) {
        return String.join(
                "\n",
                "  - id: seven-friends",
                "    guide: invite-friends",
                "    kind: threshold",
                "    action: {type: friend_added}",
                "    target: " + target,
                "    window: {sinceFirstSeen: 10d}",
                "    nudgeFrom: " + nudgeFrom,
                "    reachedGuide: friends-milestone",
                "");
    }

    static RuleSet rules(String body) throws Exception {
        return RulesParser.parse(HEADER + body, "test rules");
    }

    static PublishedRules published(long version, String body) {
        return new PublishedRules(version, "ana@laptop", System.currentTimeMillis(), HEADER + body);
    }

    /**
     * A user name, starting with {@code prefix}, whose key the detection operator's task {@code
     * task} owns.
     */
    static String userOnTask(int task, String prefix) {
        for (int i = 0; ; i++) {
            String user = prefix + "-" + i;
            if (KeyGroupRangeAssignment.assignKeyToParallelOperator(
                            user, MAX_PARALLELISM, PARALLELISM)
                    == task) {
                return user;
            }
        }
    }

    // ---- events ----

    private static int nextEventId;
    private static int probes;
    private static long lastTs;

    /**
     * Sends one event of {@code user} in session s1 with ts "now" (strictly increasing across the
     * class) and waits until Kafka has it; returns its ts.
     */
    static long send(
            KafkaProducer<String, byte[]> producer, Topics topics, String user, String type)
            throws Exception {
        return send(producer, topics, user, type, null);
    }

    static long send(
            KafkaProducer<String, byte[]> producer,
            Topics topics,
            String user,
            String type,
            String target)
            throws Exception {
        long ts = Math.max(System.currentTimeMillis(), lastTs + 1);
        lastTs = ts;
        Event e = new Event("ev-" + (++nextEventId), user, "s1", ts, type, "/app", target, null);
        producer.send(new ProducerRecord<>(topics.events, user, EventJson.toJsonBytes(e)))
                .get(15, TimeUnit.SECONDS);
        return ts;
    }

    /**
     * Waits until {@code user}'s task applies a published version with the rage-click rule: sends
     * three clicks on a fresh target until that rule fires for them. Returns the trigger.
     */
    static Trigger probe(
            KafkaProducer<String, byte[]> producer, Topics topics, TopicReader audit, String user)
            throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            String target = "#probe-" + (++probes);
            for (int i = 0; i < 3; i++) {
                send(producer, topics, user, "click", target);
            }
            String value = "\"" + target + "\"";
            List<Trigger> fired =
                    audit.awaitOptional(
                            t ->
                                    t.userId.equals(user)
                                            && t.ruleId.equals("rage-click")
                                            && value.equals(t.reason.get("value")),
                            Duration.ofSeconds(8));
            if (!fired.isEmpty()) {
                return fired.get(0);
            }
        }
        throw new AssertionError(user + "'s task did not apply the published rules within 60 s");
    }

    static KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        return new KafkaProducer<>(p);
    }

    // ---- what came out ----

    /** {@code ruleId guide count=N target=N status}. */
    static String summary(Trigger t) {
        return t.ruleId
                + " "
                + t.guide
                + " count="
                + t.reason.get("count")
                + " target="
                + t.reason.get("target")
                + " "
                + t.status;
    }

    static RedisClient redisClient() {
        return RedisClient.builder().hostAndPort(redis.host(), redis.port()).build();
    }

    static String redisTriggerId(RedisClient client, String key) {
        String json = client.get(key);
        return json == null ? null : TriggerJson.fromJson(json).triggerId;
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return r.headers().lastHeader(name) == null
                ? null
                : new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    /** Every record of a topic from its start, kept as they come. */
    static final class TopicReader implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();

        TopicReader(String topic) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                    ByteArrayDeserializer.class.getName());
            p.put(
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                    ByteArrayDeserializer.class.getName());
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            consumer = new KafkaConsumer<>(p);
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo i : consumer.partitionsFor(topic, Duration.ofSeconds(15))) {
                partitions.add(new TopicPartition(topic, i.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        List<ConsumerRecord<byte[], byte[]>> records() {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            return List.copyOf(records);
        }

        List<ConsumerRecord<byte[], byte[]>> awaitRecords(int n, Duration timeout) {
            long deadline = System.currentTimeMillis() + timeout.toMillis();
            while (records().size() < n) {
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError("expected " + n + " records, got " + records.size());
                }
            }
            return List.copyOf(records);
        }

        /**
         * The audit records as triggers; each record's {@code status} header must equal the
         * trigger's status.
         */
        List<Trigger> triggers() {
            List<Trigger> out = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : records()) {
                Trigger t = TriggerJson.fromJson(new String(r.value(), StandardCharsets.UTF_8));
                assertThat(header(r, TriggerAuditSerializer.STATUS))
                        .as(t.triggerId)
                        .isEqualTo(t.status);
                out.add(t);
            }
            return out;
        }

        /**
         * Waits until {@code n} distinct triggers match (a redelivered copy counts once); returns
         * them by ts.
         */
        List<Trigger> await(int n, Predicate<Trigger> match, Duration timeout) {
            long deadline = System.currentTimeMillis() + timeout.toMillis();
            while (true) {
                List<Trigger> found = distinct(match);
                if (found.size() >= n) {
                    return found;
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError(
                            "expected "
                                    + n
                                    + " matching triggers within "
                                    + timeout
                                    + ", got "
                                    + found
                                    + "; all: "
                                    + distinct(t -> true));
                }
            }
        }

        List<Trigger> awaitOptional(Predicate<Trigger> match, Duration timeout) {
            long deadline = System.currentTimeMillis() + timeout.toMillis();
            List<Trigger> found = distinct(match);
            while (found.isEmpty() && System.currentTimeMillis() < deadline) {
                found = distinct(match);
            }
            return found;
        }

        private List<Trigger> distinct(Predicate<Trigger> match) {
            Map<String, Trigger> byId = new java.util.LinkedHashMap<>();
            for (Trigger t : triggers()) {
                if (match.test(t)) {
                    byId.putIfAbsent(t.triggerId, t);
                }
            }
            return byId.values().stream()
                    .sorted(java.util.Comparator.comparingLong(t -> t.ts))
                    .collect(Collectors.toList());
        }

        @Override
        public void close() {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    // ---- checkpoints ----

    /**
     * The newest completed checkpoint under {@code dir} ({@code <job id>/chk-N} with its {@code
     * _metadata}).
     */
    static Optional<Path> latestCheckpoint(Path dir) {
        try (Stream<Path> paths = Files.walk(dir, 2)) {
            return paths.filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .filter(p -> Files.isRegularFile(p.resolve("_metadata")))
                    .max(
                            java.util.Comparator.comparingInt(
                                    LiveRulesPipelineTest::checkpointNumber));
        } catch (IOException | java.io.UncheckedIOException e) {
            return Optional.empty(); // a checkpoint removed while listing; ask again
        }
    }

    static int checkpointNumber(Path chk) {
        return Integer.parseInt(chk.getFileName().toString().substring("chk-".length()));
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
