package io.guidance.pipeline.kafka;

import io.guidance.rules.PublishedRules;
import io.guidance.rules.RuleValidationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The rules topic from the outside: read every published version, publish a new one. Compacted,
 * keyed by version, so it keeps one record per version. Used by the {@code guidance rules} commands
 * and at job submission.
 */
public final class RulesTopic {
    private RulesTopic() {}

    /** One record of the topic: a rule set, or why it is not one. */
    public static final class Entry {
        public final long offset;
        public final PublishedRules rules; // null when the record is not a published rule set
        public final String problem; // null when the rule set is valid

        Entry(long offset, PublishedRules rules, String problem) {
            this.offset = offset;
            this.rules = rules;
            this.problem = problem;
        }

        public boolean valid() {
            return rules != null && problem == null;
        }
    }

    /** Every record of the topic, oldest first; empty when the topic does not exist. */
    public static List<Entry> readAll(String bootstrap, String topic, Duration timeout)
            throws IOException {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        List<Entry> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            Map<String, List<PartitionInfo>> topics = consumer.listTopics(timeout);
            if (!topics.containsKey(topic)) {
                return out;
            }
            List<TopicPartition> partitions = new ArrayList<>();
            topics.get(topic)
                    .forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long deadline = System.currentTimeMillis() + timeout.toMillis();
            while (!caughtUp(consumer, end)) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IOException("timed out reading the rules topic " + topic);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value() != null) {
                        out.add(entry(r.offset(), r.value()));
                    }
                }
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new IOException(
                    "cannot read the rules topic "
                            + topic
                            + " at "
                            + bootstrap
                            + ": "
                            + e.getMessage(),
                    e);
        }
        return out;
    }

    /** The version a running job applies: the highest valid one. */
    public static Optional<PublishedRules> latestValid(
            String bootstrap, String topic, Duration timeout) throws IOException {
        PublishedRules best = null;
        for (Entry e : readAll(bootstrap, topic, timeout)) {
            if (e.valid() && (best == null || e.rules.version > best.version)) {
                best = e.rules;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The highest version number on the topic, valid or not: a new version must be above it. */
    public static long highestVersion(List<Entry> entries) {
        long max = 0;
        for (Entry e : entries) {
            if (e.rules != null) {
                max = Math.max(max, e.rules.version);
            }
        }
        return max;
    }

    /** Publishes a rule set, creating the compacted topic when it does not exist yet. */
    public static void publish(
            String bootstrap, String topic, PublishedRules rules, Duration timeout)
            throws IOException {
        ensureExists(bootstrap, topic, timeout);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                Long.toString(Math.max(timeout.toMillis(), 1_000)));
        p.put(
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                Long.toString(Math.max(timeout.toMillis() / 2, 500)));
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
            producer.send(
                            new ProducerRecord<>(
                                    topic, Long.toString(rules.version), rules.toJsonBytes()))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException
                | java.util.concurrent.TimeoutException
                | ExecutionException e) {
            throw new IOException("cannot publish to " + topic + ": " + e.getMessage());
        }
    }

    /**
     * Creates the compacted rules topic when it does not exist. The job needs it to exist: a source
     * with no partition to read never reports itself idle and would hold back event time.
     */
    public static void ensureExists(String bootstrap, String topic, Duration timeout)
            throws IOException {
        try (Admin admin = admin(bootstrap, timeout)) {
            try {
                admin.createTopics(
                                List.of(
                                        new NewTopic(topic, Optional.of(1), Optional.empty())
                                                .configs(Map.of("cleanup.policy", "compact"))))
                        .all()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IOException(
                            "cannot create the rules topic "
                                    + topic
                                    + ": "
                                    + e.getCause().getMessage());
                }
            }
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new IOException("Kafka at " + bootstrap + " did not answer in time");
        }
    }

    /**
     * True when something at {@code bootstrap} answers as a Kafka broker (it describes its cluster)
     * within {@code timeout}; false for a listener that speaks anything else, or too slowly.
     */
    public static boolean answersAsKafka(String bootstrap, Duration timeout) {
        Admin admin = admin(bootstrap, timeout);
        try {
            admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | java.util.concurrent.TimeoutException | KafkaException e) {
            return false;
        } finally {
            // without a bound, close waits for calls still retrying against a silent listener
            admin.close(Duration.ZERO);
        }
    }

    /**
     * The names among {@code topics} that do not exist. The job checks its topics at submission: a
     * sink topic that does not exist makes the Kafka producer block, which would stall the job
     * without an error.
     */
    public static List<String> missingTopics(
            String bootstrap, List<String> topics, Duration timeout) throws IOException {
        try (Admin admin = admin(bootstrap, timeout)) {
            java.util.Set<String> existing =
                    admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<String> missing = new ArrayList<>();
            for (String t : topics) {
                if (!existing.contains(t)) {
                    missing.add(t);
                }
            }
            return missing;
        } catch (InterruptedException
                | java.util.concurrent.TimeoutException
                | ExecutionException e) {
            throw new IOException(
                    "Kafka at " + bootstrap + " did not list its topics: " + e.getMessage());
        }
    }

    private static boolean caughtUp(
            KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static Entry entry(long offset, byte[] value) {
        PublishedRules rules;
        try {
            rules = PublishedRules.fromJson(value);
        } catch (IllegalArgumentException e) {
            return new Entry(offset, null, e.getMessage());
        }
        try {
            rules.parseRules();
            return new Entry(offset, rules, null);
        } catch (RuleValidationException e) {
            return new Entry(offset, rules, e.getMessage());
        }
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /**
     * An admin client whose every call, connection set-up included, ends within {@code timeout}.
     */
    private static Admin admin(String bootstrap, Duration timeout) {
        int ms = (int) timeout.toMillis();
        return Admin.create(
                Map.of(
                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                        ms,
                        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                        ms,
                        AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG,
                        (long) ms,
                        AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG,
                        (long) ms));
    }
}
