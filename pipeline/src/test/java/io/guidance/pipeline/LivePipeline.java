package io.guidance.pipeline;

import io.guidance.event.Event;
import io.guidance.event.EventJson;
import io.guidance.experiment.Experiment;
import io.guidance.experiment.SpecBuckets;
import io.guidance.local.EmbeddedKafka;
import io.guidance.local.LocalStack;
import io.guidance.local.TopicReader;
import io.guidance.rules.DeliverySettings;
import io.guidance.rules.Glob;
import io.guidance.rules.Matcher;
import io.guidance.rules.RuleSet;
import io.guidance.rules.RulesParser;
import io.guidance.trigger.TriggerJson;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import redis.clients.jedis.RedisClient;

/** Fixtures for tests that run the real job against a {@link LocalStack}. */
final class LivePipeline {
    static final String EVENTS = "events";
    static final String DEAD_LETTERS = "dead-letters";
    static final String AUDIT = "audit";
    static final String RULES = "rules";
    static final String EXPERIMENTS = "experiments";
    static final LocalStack.Topics TOPICS =
            new LocalStack.Topics(EVENTS, DEAD_LETTERS, AUDIT, EXPERIMENTS, RULES);

    /** The SPEC's checkout stall, shortened to 2 s so that tests wait little. */
    static final String CHECKOUT_STALL_2S =
            String.join(
                    "\n",
                    "version: 1",
                    "delivery: {ttl: 10m}",
                    "rules:",
                    "  - id: checkout-stall",
                    "    guide: checkout-help",
                    "    kind: stall",
                    "    start: {type: page_view, page: /checkout}",
                    "    progress: [{type: page_view}, {type: click, target: \"#pay\"}]",
                    "    within: 2s",
                    "");

    private LivePipeline() {}

    /**
     * {@link #CHECKOUT_STALL_2S} with an experiment: variants checkout-help 40 /
     * checkout-help-short 40, control 20, a purchase within a day the goal; delivery: ttl 10m, no
     * minimum gap, 100 a day, a cooldown of a day.
     */
    static RuleSet checkoutStallExperiment() throws Exception {
        RuleSet base = RulesParser.parse(CHECKOUT_STALL_2S, "test");
        Map<String, Integer> variants = new LinkedHashMap<>();
        variants.put("checkout-help", 40);
        variants.put("checkout-help-short", 40);
        Matcher purchase = new Matcher(Map.of("type", List.of(new Glob("purchase"))));
        return new RuleSet(
                1,
                new DeliverySettings(600_000L, 0, 100, 86_400_000L, 0, null, 7 * 86_400_000L),
                base.rules,
                Map.of(
                        "checkout-stall",
                        new Experiment(
                                "checkout-stall",
                                variants,
                                20,
                                purchase,
                                86_400_000L,
                                "checkout-stall")));
    }

    /**
     * The arm of {@link #checkoutStallExperiment()} the SPEC assigns {@code userId} to, computed
     * without the product's code.
     */
    static String checkoutStallArm(String userId) {
        int bucket = SpecBuckets.bucket("checkout-stall", userId);
        return bucket < 4000 ? "checkout-help" : bucket < 8000 ? "checkout-help-short" : "control";
    }

    /**
     * Kafka and Redis with the topics the job reads and writes (the broker creates none itself).
     */
    static LocalStack startStack() throws Exception {
        return LocalStack.start(TOPICS, 2);
    }

    /**
     * Job settings for this stack's broker, Redis and {@link #TOPICS}; {@code more} overrides or
     * adds.
     */
    static JobConfig config(LocalStack stack, Map<String, String> more) {
        Map<String, String> s = stack.settings(TOPICS);
        s.put("events.idleTimeout", "1s");
        // a partition that gets no event follows the wall clock after this, not after a minute
        s.put("events.startupIdleTimeout", "3s");
        s.put("job.parallelism", "2");
        s.putAll(more);
        return JobConfig.of(s);
    }

    static KafkaProducer<String, byte[]> producer(EmbeddedKafka kafka) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /** A checkout page view: the start of the stall rules of these tests. */
    static ProducerRecord<String, byte[]> checkoutView(
            String eventId, String user, String session, long ts) {
        byte[] json =
                EventJson.toJsonBytes(
                        new Event(
                                eventId, user, session, ts, "page_view", "/checkout", null, null));
        return new ProducerRecord<>(EVENTS, user, json);
    }

    /** The same, into a chosen partition (a user's events must all go to one). */
    static ProducerRecord<String, byte[]> checkoutView(
            int partition, String eventId, String user, String session, long ts) {
        return new ProducerRecord<>(
                EVENTS, partition, user, checkoutView(eventId, user, session, ts).value());
    }

    static void send(
            KafkaProducer<String, byte[]> producer, List<ProducerRecord<String, byte[]>> records)
            throws Exception {
        for (ProducerRecord<String, byte[]> r : records) {
            producer.send(r);
        }
        producer.flush();
    }

    static void waitFor(String what, BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + timeout.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    /** The triggerId of the trigger JSON held at {@code key}, or null when the key is absent. */
    static String triggerIdAt(RedisClient client, String key) {
        String json = client.get(key);
        return json == null ? null : TriggerJson.fromJson(json).triggerId;
    }

    /**
     * Reads the audit topic from its beginning and keeps every trigger the job decided, in arrival
     * order.
     */
    static final class AuditReader implements AutoCloseable {
        private final TopicReader topic;

        AuditReader(EmbeddedKafka kafka) {
            topic = new TopicReader(kafka.bootstrapServers(), AUDIT);
        }

        /** How many times the job has decided the trigger with this id, so far. */
        long decisions(String triggerId) {
            return topic.records().stream()
                    .map(TriggerJson::fromJson)
                    .filter(t -> t.triggerId.equals(triggerId))
                    .count();
        }

        @Override
        public void close() {
            topic.close();
        }
    }
}
